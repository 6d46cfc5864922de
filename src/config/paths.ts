/**
 * Where things live. Environment variables are read here, lazily, on each call (never at import
 * time), so tests and the CLI can change them before use.
 *   state dir   $OPENCLAW_STATE_DIR, else ~/.openclaw
 *   config      $OPENCLAW_CONFIG_PATH, else <state dir>/openclaw.json
 *   database    <state dir>/state/openclaw.db
 *   workspace   agents.defaults.workspace, else <state dir>/workspace
 *   gateway log <state dir>/logs/gateway.log (rotated to .1 … .3)
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export function homeDir(): string {
  return process.env.HOME || homedir();
}

export function expandHome(path: string): string {
  if (path === "~") return homeDir();
  if (path.startsWith("~/")) return join(homeDir(), path.slice(2));
  return path;
}

export function stateDir(): string {
  const env = process.env.OPENCLAW_STATE_DIR;
  return resolve(env ? expandHome(env) : join(homeDir(), ".openclaw"));
}

export function configPath(): string {
  const env = process.env.OPENCLAW_CONFIG_PATH;
  return resolve(env ? expandHome(env) : join(stateDir(), "openclaw.json"));
}

export function databasePath(): string {
  return join(stateDir(), "state", "openclaw.db");
}

export function defaultWorkspace(): string {
  return join(stateDir(), "workspace");
}

export function gatewayTokenPath(): string {
  return join(stateDir(), "credentials", "gateway-token");
}

export function gatewayLockPath(): string {
  return join(stateDir(), "state", "gateway.lock");
}

export function gatewayLogPath(): string {
  return join(stateDir(), "logs", "gateway.log");
}
