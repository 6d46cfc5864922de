/**
 * The owner-only environment file (`<state dir>/credentials/daemon.env`, 0600 in a 0700 dir) that
 * carries secrets the gateway gets from the environment, so they never appear in a unit or plist.
 * One `NAME='value'` per line: a form systemd's EnvironmentFile= and POSIX `sh` (`. file`, used by
 * the LaunchAgent) both read literally (no escapes, no `$` expansion inside single quotes).
 */
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DaemonError } from "./errors.ts";

export function envFilePath(stateDir: string): string {
  return join(stateDir, "credentials", "daemon.env");
}

export function renderEnvFile(vars: Record<string, string>): string {
  const lines = ["# written by `openclaw daemon install`: secrets the gateway reads from its environment (mode 0600)"];
  for (const [name, value] of Object.entries(vars)) {
    if (/['\n\r\0]/.test(value)) {
      throw new DaemonError(`${name} contains a quote, a newline or a NUL, which an environment file cannot carry; put the secret in the config file (0600) or the credentials dir instead`);
    }
    lines.push(`${name}='${value}'`);
  }
  return lines.join("\n") + "\n";
}

/** Writes (or, with no vars, removes) the file. Returns its path, or undefined when there is none. */
export function writeEnvFile(stateDir: string, vars: Record<string, string>): string | undefined {
  const path = envFilePath(stateDir);
  if (Object.keys(vars).length === 0) {
    rmSync(path, { force: true });
    return undefined;
  }
  const text = renderEnvFile(vars);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  chmodSync(dirname(path), 0o700);
  // a fresh 0600 file renamed over the old one: the secrets never land in an existing file's inode
  // (its old mode, or another name hard-linked to it) and a reader never sees half a file
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, text, { mode: 0o600, flag: "wx" });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}
