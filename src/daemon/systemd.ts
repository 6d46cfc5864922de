/**
 * The systemd unit: `~/.config/systemd/user/openclaw-gateway.service` (user) or
 * `/etc/systemd/system/openclaw-gateway.service` (`--system`). `Type=notify` (the gateway sends
 * READY=1 once it listens: notify.ts), restarted always except after exit 78 (invalid config: a
 * restart cannot fix it), the whole cgroup killed at stop after `TimeoutStopSec`.
 */
import { join } from "node:path";
import { homeDir } from "../config/paths.ts";
import { DaemonError } from "./errors.ts";
import { SERVICE_NAME, type ServiceSpec } from "./spec.ts";

export const UNIT_FILE = `${SERVICE_NAME}.service`;

export function systemdUnitPath(system: boolean): string {
  return system ? join("/etc/systemd/system", UNIT_FILE) : join(homeDir(), ".config", "systemd", "user", UNIT_FILE);
}

function checkValue(what: string, s: string): void {
  if (/[\n\r\0]/.test(s)) throw new DaemonError(`${what} contains a newline or NUL, which a systemd unit cannot carry: ${JSON.stringify(s)}; use a path without one`);
}

/**
 * One word of a systemd command line or a quoted setting: double quotes, C escapes for `\` and
 * `"`, `%%` for the specifier character, and (for ExecStart) `$$` so systemd does not expand it.
 */
export function systemdQuote(s: string, opts: { exec?: boolean } = {}): string {
  let q = s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%/g, "%%");
  if (opts.exec) q = q.replace(/\$/g, "$$$$");
  return `"${q}"`;
}

export interface UnitOptions {
  system: boolean;
  /** the environment file with the secrets, when there is one */
  envFile?: string;
}

export function renderSystemdUnit(spec: ServiceSpec, opts: UnitOptions): string {
  for (const w of spec.command) checkValue("the command", w);
  for (const [k, v] of Object.entries(spec.env)) checkValue(k, v);
  if (opts.envFile) checkValue("the environment file path", opts.envFile);
  const unit = [
    "[Unit]",
    "Description=OpenClaw gateway (agent runtime: HTTP/WebSocket, channels)",
    "Documentation=https://github.com/openclaw/openclaw",
    ...(opts.system ? ["After=network-online.target", "Wants=network-online.target"] : []),
    "",
    "[Service]",
    "Type=notify",
    `ExecStart=${spec.command.map((w) => systemdQuote(w, { exec: true })).join(" ")}`,
    ...Object.entries(spec.env).map(([k, v]) => `Environment=${systemdQuote(`${k}=${v}`)}`),
    // EnvironmentFile= takes the path as written (quotes would be part of it); only % is special
    ...(opts.envFile ? [`EnvironmentFile=${opts.envFile.replace(/%/g, "%%")}`] : []),
    "Restart=always",
    "RestartSec=5",
    "# 78: invalid config or unusable state file; restarting cannot fix it",
    "RestartPreventExitStatus=78",
    "KillMode=control-group",
    `TimeoutStopSec=${spec.timeoutStopSec}`,
    "",
    "[Install]",
    `WantedBy=${opts.system ? "multi-user.target" : "default.target"}`,
  ];
  return unit.join("\n") + "\n";
}
