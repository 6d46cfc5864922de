/**
 * `openclaw daemon install|uninstall|start|stop|restart|status|logs`: the gateway as a supervised
 * service (systemd user unit, `--system` unit, or macOS LaunchAgent). The work is in src/daemon/;
 * this file parses flags and prints. Where no service manager is reachable every verb fails with
 * exit 1 and says so plainly, with `openclaw gateway run` as the alternative.
 */
import { defineCommand } from "citty";
import { DaemonError, FOREGROUND_HINT } from "../daemon/errors.ts";
import { UsageError, globals, output } from "./output.ts";

const system = { type: "boolean", description: "the system unit (/etc/systemd/system, needs root) instead of the user unit" } as const;

const install = defineCommand({
  meta: { name: "install", description: "Write the service unit and enable + start it" },
  args: { system, print: { type: "boolean", description: "print the unit and install nothing" } },
  async run({ args }) {
    const { installDaemon } = await import("../daemon/install.ts");
    const r = await installDaemon({ system: args.system === true, print: args.print === true });
    if (!r.ok) throw new DaemonError(r.message);
    if (args.print && !globals().json) process.stdout.write(r.unit ?? "");
    else output(r.message, { unitPath: r.unitPath, ...(args.print ? { unit: r.unit } : {}), ...(r.envFile ? { envFile: r.envFile } : {}) });
  },
});

const uninstall = defineCommand({
  meta: { name: "uninstall", description: "Stop and disable the service, remove its unit" },
  args: { system },
  async run({ args }) {
    const { uninstallDaemon } = await import("../daemon/install.ts");
    const r = await uninstallDaemon({ system: args.system === true });
    if (!r.ok) throw new DaemonError(r.message);
    output(r.message, { unitPath: r.unitPath });
  },
});

function actionCommand(action: "start" | "stop" | "restart") {
  return defineCommand({
    meta: { name: action, description: `${action[0]!.toUpperCase()}${action.slice(1)} the installed service` },
    args: { system },
    async run({ args }) {
      const { daemonAction } = await import("../daemon/control.ts");
      const message = await daemonAction(action, { system: args.system === true });
      output(message, { action });
    },
  });
}

const status = defineCommand({
  meta: { name: "status", description: "Is the service installed, and is it running?" },
  args: { system },
  async run({ args }) {
    const { daemonStatus } = await import("../daemon/control.ts");
    const s = await daemonStatus({ system: args.system === true });
    const where = `${s.manager} ${s.scope} service: ${s.installed ? s.unitPath : `not installed (${s.unitPath} absent)`}`;
    if (!s.reachable) throw new DaemonError(`${where}\ncannot ask the service manager: ${s.reason}.\n${FOREGROUND_HINT}`);
    output(() => {
      const lines = [where];
      if (s.pointsAtThisBinary === false) lines.push("the unit runs another openclaw program than this one; reinstall: openclaw daemon install");
      lines.push(`state: ${s.state}`);
      if (s.text) lines.push("", s.text);
      return lines.join("\n");
    }, { daemon: s });
  },
});

const logs = defineCommand({
  meta: { name: "logs", description: "Show the service's log (journalctl; the log files on macOS)" },
  args: {
    system,
    lines: { type: "string", alias: "n", description: "how many lines (default 200)" },
    follow: { type: "boolean", alias: "f", description: "keep printing new lines" },
  },
  async run({ args }) {
    const lines = args.lines === undefined ? 200 : Number(args.lines);
    if (!Number.isInteger(lines) || lines < 0) throw new UsageError(`--lines must be a whole number, got ${args.lines}`);
    const { daemonLogs } = await import("../daemon/control.ts");
    process.exitCode = await daemonLogs({ system: args.system === true, lines, follow: args.follow === true });
  },
});

export const command = defineCommand({
  meta: { name: "daemon", description: "Install and control the gateway as a service (systemd, launchd)" },
  subCommands: { install, uninstall, start: actionCommand("start"), stop: actionCommand("stop"), restart: actionCommand("restart"), status, logs },
});
