/** launchd as a ServiceManager: launchctl bootstrap/bootout/kickstart in the user's gui domain. */
import { launchAgentPath, launchdLogPaths, renderPlist } from "./launchd.ts";
import type { ServiceAction, ServiceManager } from "./manager.ts";
import { runProgram, which, type RunResult } from "./run.ts";
import { LAUNCHD_LABEL, stateDirOf } from "./spec.ts";

export function launchdManager(): ServiceManager {
  const domain = `gui/${process.getuid?.() ?? 0}`;
  const target = `${domain}/${LAUNCHD_LABEL}`;
  const plist = launchAgentPath();
  const ctl = (...args: string[]): RunResult => runProgram(["launchctl", ...args]);
  return {
    kind: "launchd",
    scope: "user",
    unitPath: plist,
    render: (spec, envFile) => renderPlist(spec, envFile ? { envFile } : {}),
    unreachable: () => (which("launchctl") ? null : "launchctl is not available (this is not macOS)"),
    reload: () => ({ code: 0, stdout: "", stderr: "" }),
    act(action: ServiceAction) {
      if (action === "enable" || action === "start") {
        ctl("bootout", target); // a loaded older copy would keep the old plist
        return ctl("bootstrap", domain, plist);
      }
      if (action === "disable" || action === "stop") return ctl("bootout", target);
      return ctl("kickstart", "-k", target);
    },
    status() {
      const r = ctl("print", target);
      const state = r.code === 0 ? (/^\s*state = (\S+)/m.exec(r.stdout)?.[1] ?? "loaded") : "inactive";
      return { state, text: (r.stdout || r.stderr).trim() };
    },
    logs: ({ lines, follow }) => {
      const p = launchdLogPaths(stateDirOf());
      return ["tail", "-n", String(lines), ...(follow ? ["-f"] : []), p.stdout, p.stderr];
    },
  };
}
