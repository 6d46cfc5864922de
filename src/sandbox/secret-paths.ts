/**
 * The host files and folders that hold this gateway's secrets, read from its config: the config
 * file itself, the database with its -wal/-shm/-journal, the gateway token and lock, the log folder, and every path
 * a config key names as holding a credential (`channels.telegram.tokenFile`, any other `*File`
 * key, `*credentials*` keys, `keyPath`/`tokenPath`/`secretPath`/… — plugin configs included).
 * The sandbox hides each one that exists (masks.ts); they are also what this gateway publishes to
 * the per-host instance registry (instances.ts) so other gateways' sandboxes hide them too.
 */
import { dirname, join, relative, resolve } from "node:path";
import { configPath, databasePath, expandHome, gatewayLockPath, gatewayLogPath, gatewayTokenPath, stateDir } from "../config/paths.ts";

/** A key whose string value is a path to something secret. */
const SECRET_PATH_KEY = [/^files?$|[a-z0-9](File|Files)$/, /credential/i, /^(token|key|secret|password|cert|auth|private)[A-Za-z]*(Path|Paths|Dir)$/i];
const MAX_DEPTH = 12;

/**
 * Absolute paths (not resolved through symlinks; masks.ts does that at each exec). `state` is the
 * state dir in use (tests and embedders may pass one other than `stateDir()`).
 */
export function secretPaths(config: unknown, state: string = stateDir()): string[] {
  const inState = (p: string) => join(state, relative(stateDir(), p));
  const db = inState(databasePath());
  const out = [configPath(), db, `${db}-wal`, `${db}-shm`, `${db}-journal`, inState(gatewayTokenPath()), inState(gatewayLockPath()), dirname(inState(gatewayTokenPath())), dirname(inState(gatewayLogPath()))];
  collect(config, "", 0, out);
  return [...new Set(out)];
}

function collect(value: unknown, key: string, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH || value === null || value === undefined) return;
  if (typeof value === "string") {
    if (!SECRET_PATH_KEY.some((re) => re.test(key)) || !looksLikePath(value)) return;
    const p = expandHome(value);
    out.push(resolve(p));
    // a relative path may be read against the working directory or the config's folder
    if (!p.startsWith("/")) out.push(resolve(dirname(configPath()), p));
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, key, depth + 1, out);
    return;
  }
  if (typeof value === "object") for (const [k, v] of Object.entries(value)) collect(v, k, depth + 1, out);
}

function looksLikePath(v: string): boolean {
  return v.length > 0 && v.length < 4096 && !v.includes("\n") && !/^[a-z]+:\/\//i.test(v);
}
