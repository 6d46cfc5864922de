/**
 * `openclaw daemon start|stop|restart|status|logs`: thin wrappers over the service manager that
 * fail plainly (DaemonError, exit 1) when the unit is not installed or no manager is reachable.
 * `daemonUnit` reads what is installed from the unit file alone (doctor); `daemonStatus` adds the
 * manager's view (status --json, the dashboard) and never throws for an unreachable manager.
 */
import { existsSync, readFileSync } from "node:fs";
import { DaemonError, FOREGROUND_HINT } from "./errors.ts";
import { serviceManager, type ServiceManager } from "./manager.ts";
import { firstLine, runProgram } from "./run.ts";
import { gatewayCommand } from "./spec.ts";
import { systemdQuote } from "./systemd.ts";

export interface DaemonScope {
  system?: boolean;
  platform?: NodeJS.Platform;
}

export interface DaemonUnit {
  manager: "systemd" | "launchd";
  scope: "user" | "system";
  unitPath: string;
  installed: boolean;
  /** the unit runs this same program (false: installed from another binary or path: reinstall; null: unreadable) */
  pointsAtThisBinary: boolean | null;
}

export interface DaemonStatus extends DaemonUnit {
  reachable: boolean;
  /** why the manager cannot be asked, when it cannot */
  reason?: string;
  state: string;
  text: string;
}

const manager = (s: DaemonScope): Promise<ServiceManager> =>
  serviceManager({ ...(s.system ? { system: true } : {}), ...(s.platform ? { platform: s.platform } : {}) });

function usable(m: ServiceManager, verb: string): void {
  if (!existsSync(m.unitPath)) throw new DaemonError(`the service is not installed (no ${m.unitPath}); install it with: openclaw daemon install${m.scope === "system" ? " --system" : ""}`);
  const why = m.unreachable();
  if (why) throw new DaemonError(`cannot ${verb} the service: ${why}.\n${FOREGROUND_HINT}`);
}

export async function daemonAction(action: "start" | "stop" | "restart", scope: DaemonScope = {}): Promise<string> {
  const m = await manager(scope);
  usable(m, action);
  const r = m.act(action);
  if (r.code !== 0) throw new DaemonError(`${action} failed: ${firstLine(r)}; see openclaw daemon status and openclaw daemon logs`);
  return `${action === "stop" ? "stopped" : action === "start" ? "started" : "restarted"} openclaw-gateway`;
}

/** What is installed, read from the unit file alone: no service manager is asked (doctor uses this). */
export async function daemonUnit(scope: DaemonScope & { program?: string } = {}): Promise<DaemonUnit> {
  const m = await manager(scope);
  const installed = existsSync(m.unitPath);
  let points: boolean | null = null;
  if (installed) {
    try {
      const program = scope.program ?? gatewayCommand()[0]!;
      points = readFileSync(m.unitPath, "utf8").includes(m.kind === "systemd" ? systemdQuote(program, { exec: true }) : `<string>${program}</string>`);
    } catch {
      points = null;
    }
  }
  return { manager: m.kind, scope: m.scope, unitPath: m.unitPath, installed, pointsAtThisBinary: points };
}

export async function daemonStatus(scope: DaemonScope = {}): Promise<DaemonStatus> {
  const m = await manager(scope);
  const base = await daemonUnit(scope);
  const why = m.unreachable();
  if (why) return { ...base, reachable: false, reason: why, state: "unknown", text: "" };
  return { ...base, reachable: true, ...(base.installed ? m.status() : { state: "not-installed", text: "" }) };
}

/** Shows the service log on the terminal (journalctl, or the LaunchAgent's log files); returns the exit code. */
export async function daemonLogs(opts: DaemonScope & { lines: number; follow: boolean }): Promise<number> {
  const m = await manager(opts);
  usable(m, "read the log of");
  return runProgram(m.logs({ lines: opts.lines, follow: opts.follow }), { inherit: true }).code;
}
