/**
 * The macOS LaunchAgent `~/Library/LaunchAgents/ai.openclaw.gateway.plist`: started at login
 * (RunAtLoad) and kept alive (KeepAlive), stdout/stderr to files under `<state dir>/logs/`.
 * EnvironmentVariables holds only the state dir and config path. When secrets come from the
 * environment, the program is `/bin/sh -c 'set -a; . "$0"; exec "$@"' <env file> <command…>`,
 * so they are read from the 0600 file at start and never written into the plist.
 */
import { join } from "node:path";
import { homeDir } from "../config/paths.ts";
import { LAUNCHD_LABEL, type ServiceSpec } from "./spec.ts";

export function launchAgentPath(): string {
  return join(homeDir(), "Library", "LaunchAgents", `${LAUNCHD_LABEL}.plist`);
}

export function launchdLogPaths(stateDir: string): { stdout: string; stderr: string } {
  return { stdout: join(stateDir, "logs", "gateway.out.log"), stderr: join(stateDir, "logs", "gateway.err.log") };
}

const xml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, "");
const str = (s: string): string => `<string>${xml(s)}</string>`;

export function launchdArguments(spec: ServiceSpec, envFile?: string): string[] {
  return envFile ? ["/bin/sh", "-c", 'set -a; . "$0"; exec "$@"', envFile, ...spec.command] : spec.command;
}

export function renderPlist(spec: ServiceSpec, opts: { envFile?: string } = {}): string {
  const logs = launchdLogPaths(spec.stateDir);
  const env = Object.entries(spec.env).map(([k, v]) => `      <key>${xml(k)}</key>${str(v)}`);
  const args = launchdArguments(spec, opts.envFile).map((a) => `      ${str(a)}`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    "  <dict>",
    `    <key>Label</key>${str(LAUNCHD_LABEL)}`,
    "    <key>ProgramArguments</key>",
    "    <array>",
    ...args,
    "    </array>",
    "    <key>EnvironmentVariables</key>",
    "    <dict>",
    ...env,
    "    </dict>",
    "    <key>RunAtLoad</key><true/>",
    "    <key>KeepAlive</key><true/>",
    // launchd's default is 20 s before SIGKILL; give the gateway its grace
    `    <key>ExitTimeOut</key><integer>${spec.timeoutStopSec}</integer>`,
    "    <key>ThrottleInterval</key><integer>5</integer>",
    `    <key>WorkingDirectory</key>${str(spec.stateDir)}`,
    `    <key>StandardOutPath</key>${str(logs.stdout)}`,
    `    <key>StandardErrorPath</key>${str(logs.stderr)}`,
    "  </dict>",
    "</plist>",
  ].join("\n") + "\n";
}
