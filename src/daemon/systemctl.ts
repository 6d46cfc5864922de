/** systemd as a ServiceManager: systemctl [--user] and journalctl [--user] for openclaw-gateway.service. */
import type { ServiceAction, ServiceManager } from "./manager.ts";
import { firstLine, runProgram, which } from "./run.ts";
import { renderSystemdUnit, systemdUnitPath, UNIT_FILE } from "./systemd.ts";

export function systemdManager(system: boolean): ServiceManager {
  const scope = system ? [] : ["--user"];
  const ctl = (...args: string[]) => runProgram(["systemctl", ...scope, ...args]);
  return {
    kind: "systemd",
    scope: system ? "system" : "user",
    unitPath: systemdUnitPath(system),
    render: (spec, envFile) => renderSystemdUnit(spec, { system, ...(envFile ? { envFile } : {}) }),
    unreachable() {
      if (!which("systemctl")) return "systemctl is not installed (this system does not run systemd)";
      const r = ctl("show-environment");
      if (r.code === 0) return null;
      const said = firstLine(r);
      return system
        ? `systemd is not running as the init system here (systemctl said: ${said}); this is normal in containers`
        : `no systemd user service manager is reachable (systemctl --user said: ${said}); this is normal in containers and CI, and in su/sudo shells without a login session`;
    },
    reload: () => ctl("daemon-reload"),
    act(action: ServiceAction) {
      if (action === "enable") return ctl("enable", UNIT_FILE);
      if (action === "disable") return ctl("disable", "--now", UNIT_FILE);
      return ctl(action, UNIT_FILE);
    },
    status() {
      const state = ctl("show", "--property=ActiveState", "--value", UNIT_FILE);
      const text = ctl("status", "--no-pager", "--lines=0", UNIT_FILE);
      return { state: state.code === 0 && state.stdout.trim() ? state.stdout.trim() : "unknown", text: (text.stdout || text.stderr).trim() };
    },
    logs: ({ lines, follow }) => ["journalctl", ...scope, "--unit", UNIT_FILE, "--no-pager", "--lines", String(lines), ...(follow ? ["--follow"] : [])],
  };
}
