/**
 * A service manager as the daemon commands need it: where its unit file goes, how to render it,
 * whether it can be reached at all, and the commands that enable/start/stop it. systemd on Linux
 * (user or system scope), launchd on macOS. `unreachable()` gives the plain reason a command
 * cannot work here (no systemctl, no user bus in a container or CI), so callers never surface an
 * obscure systemctl error.
 */
import { DaemonError } from "./errors.ts";
import type { RunResult } from "./run.ts";
import type { ServiceSpec } from "./spec.ts";

export type ServiceAction = "enable" | "disable" | "start" | "stop" | "restart";

export interface ServiceStatus {
  /** systemd's ActiveState (active, inactive, failed, activating…) or launchd's state; "unknown" when it cannot be asked */
  state: string;
  /** the manager's own description, for people */
  text: string;
}

export interface ServiceManager {
  kind: "systemd" | "launchd";
  scope: "user" | "system";
  unitPath: string;
  render(spec: ServiceSpec, envFile: string | undefined): string;
  /** null when the manager answers; otherwise why it cannot be used here, in plain words */
  unreachable(): string | null;
  /** after the unit file changed (daemon-reload); a no-op where there is none */
  reload(): RunResult;
  act(action: ServiceAction): RunResult;
  status(): ServiceStatus;
  /** argv that shows the service's log (inherits the terminal) */
  logs(opts: { lines: number; follow: boolean }): string[];
}

export async function serviceManager(opts: { system?: boolean; platform?: NodeJS.Platform } = {}): Promise<ServiceManager> {
  const platform = opts.platform ?? process.platform;
  if (platform === "linux") return (await import("./systemctl.ts")).systemdManager(opts.system === true);
  if (platform === "darwin") {
    if (opts.system) throw new DaemonError("--system is for Linux (a systemd system unit); on macOS the gateway runs as a LaunchAgent of your user");
    return (await import("./launchctl.ts")).launchdManager();
  }
  throw new DaemonError(`no service manager support on ${platform}; run the gateway in the foreground with: openclaw gateway run`);
}
