/**
 * Finding and calling the gateway that serves this state dir, for CLI verbs that work with or
 * without it. "Up" means: the gateway lock (`state/gateway.lock`) names a live process, and
 * `GET /healthz` answers `{"ok": true}` on the configured port (`gateway.port`, `OPENCLAW_GATEWAY_PORT`) of the
 * configured bind (a wildcard bind is reached on loopback). A gateway on that port without our lock
 * belongs to another state dir and is never used.
 *
 * The token comes from where the gateway takes it: `OPENCLAW_GATEWAY_TOKEN`, `gateway.auth.token`
 * (or `.password`), else the token file `credentials/gateway-token`. It travels only in the
 * `Authorization` header and is held in an ApiKey, so it is masked in any message.
 *
 * `callGateway` returns `{ reachable: false }` when no gateway answers (callers fall back to the
 * store); an answer with a JSON-RPC error throws the matching named error from core/errors.ts with
 * the gateway's message, so the CLI reports it exactly as if the domain function had thrown here.
 */
import { readFileSync } from "node:fs";
import type { Config } from "../config/schema.ts";
import { gatewayLockPath, gatewayTokenPath } from "../config/paths.ts";
import * as errors from "../core/errors.ts";
import { ApiKey } from "../core/secrets.ts";
import { bindHost } from "../gateway/server.ts";
import { findToken } from "./checks/auth.ts";

export interface GatewayTarget {
  url: string;
  wsUrl: string;
  pid: number;
  /** the Authorization header (absent with gateway.auth.mode "none") */
  headers: Record<string, string>;
  /** where the token came from (OPENCLAW_GATEWAY_TOKEN, gateway.auth.token, the token file path), for messages */
  tokenFrom: string;
}

export type Found = { found: true; target: GatewayTarget } | { found: false; running: boolean; reason: string };
export type GatewayAnswer<T> = { reachable: true; url: string; result: T } | { reachable: false; running: boolean; reason: string };

export interface ClientOptions {
  /** the effective config; loaded from the usual place when absent */
  config?: Config;
  /** with `config`: the env variables that overrode it (says where the token came from) */
  envOverrides?: string[];
  /** per request, default 30 s (the health probe: 3 s) */
  timeoutMs?: number;
}

/** A failure the gateway reported whose type has no local class. */
export class GatewayCallError extends errors.OpenClawError {
  static override readonly type: string = "GatewayCallError";
}

function lockPid(): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(gatewayLockPath(), "utf8").trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM" ? pid : null;
  }
}

/** The address a client uses to reach a gateway bound to `host` (a wildcard bind is reached on loopback). */
export function clientHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** `http://host:port` of the gateway the config describes. */
export function gatewayUrl(config: Config): string {
  return `http://${clientHost(bindHost(config.gateway.bind))}:${config.gateway.port}`;
}

/** The token the gateway uses (found the way the doctor's token check finds it) and where it came from. */
function credential(config: Config, envOverrides: string[]): { key: ApiKey; where: string } | null {
  const a = config.gateway.auth;
  if (a.mode === "none") return null;
  const found = findToken({ config, envOverrides });
  if (!found?.value) {
    throw new errors.UnauthorizedError(
      a.mode === "password"
        ? "gateway.auth.mode is \"password\" but gateway.auth.password is not set; set it in the config"
        : `no gateway token: set OPENCLAW_GATEWAY_TOKEN or gateway.auth.token, or run the gateway once to create ${gatewayTokenPath()}`,
    );
  }
  return { key: new ApiKey(found.value), where: found.where };
}

async function effectiveConfig(opts: ClientOptions): Promise<{ config: Config; envOverrides: string[] }> {
  // a config loaded from this process's environment: the env token (if any) overrode the file's
  if (opts.config) return { config: opts.config, envOverrides: opts.envOverrides ?? (process.env.OPENCLAW_GATEWAY_TOKEN ? ["OPENCLAW_GATEWAY_TOKEN"] : []) };
  const { loadConfig } = await import("../config/load.ts");
  const loaded = loadConfig();
  return { config: loaded.config, envOverrides: loaded.envOverrides };
}

/** true when an openclaw gateway answers `GET /healthz` at `base` (HTTP 200 and `{"ok": true}`); never throws. */
export async function answersHealthz(base: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json().catch(() => null)) as { ok?: unknown } | null;
    return res.status === 200 && body?.ok === true;
  } catch {
    return false;
  }
}

/** Is the gateway of this state dir up? Never throws for an absent or silent gateway. */
export async function findGateway(opts: ClientOptions = {}): Promise<Found> {
  const pid = lockPid();
  if (pid === null) return { found: false, running: false, reason: "no gateway is running for this state dir" };
  const { config, envOverrides } = await effectiveConfig(opts);
  const base = gatewayUrl(config);
  const silent = `a gateway (pid ${pid}) holds the lock but does not answer on ${base}/healthz; if it was started with --port or --bind, set gateway.port / OPENCLAW_GATEWAY_PORT to match; if no gateway runs, the lock ${gatewayLockPath()} is stale (its pid was reused): remove it`;
  if (!(await answersHealthz(base, 3_000))) return { found: false, running: true, reason: silent };
  const cred = credential(config, envOverrides);
  const headers: Record<string, string> = cred ? { authorization: `Bearer ${cred.key.reveal()}` } : {};
  const tokenFrom = cred?.where ?? "none (gateway.auth.mode none)";
  return { found: true, target: { url: base, wsUrl: base.replace(/^http/, "ws") + "/ws", pid, headers, tokenFrom } };
}

/** The named error for a JSON-RPC error object the gateway sent. */
export function fromWire(wire: { code?: number; message?: string; data?: { type?: string } }): errors.OpenClawError {
  const message = String(wire.message ?? "the gateway reported an error");
  const type = wire.data?.type ?? "";
  const cls = (errors as Record<string, unknown>)[type];
  if (typeof cls === "function" && (cls as { prototype?: unknown }).prototype instanceof errors.OpenClawError) {
    return new (cls as new (m: string) => errors.OpenClawError)(message);
  }
  return new GatewayCallError(message, { details: { code: wire.code, type } });
}

/** One JSON-RPC call on `POST /rpc` of the running gateway, or `{reachable: false}` when there is none. */
export async function callGateway<T = unknown>(method: string, params: Record<string, unknown> = {}, opts: ClientOptions = {}): Promise<GatewayAnswer<T>> {
  const found = await findGateway(opts);
  if (!found.found) return { reachable: false, running: found.running, reason: found.reason };
  const { target } = found;
  let res: Response;
  try {
    res = await fetch(`${target.url}/rpc`, {
      method: "POST",
      headers: { ...target.headers, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
  } catch (err) {
    return { reachable: false, running: true, reason: `the gateway at ${target.url} stopped answering (${errors.errorMessage(err)})` };
  }
  if (res.status === 401) throw new errors.UnauthorizedError(`the gateway at ${target.url} refused the token from ${target.tokenFrom}; use the token the gateway uses (OPENCLAW_GATEWAY_TOKEN, gateway.auth.token or ${gatewayTokenPath()})`);
  if (res.status === 429) throw new errors.RateLimitedError(`the gateway at ${target.url} is rate limiting failed logins; wait and retry`);
  const body = (await res.json().catch(() => null)) as { result?: T; error?: { code?: number; message?: string; data?: { type?: string } } } | null;
  if (!body) throw new GatewayCallError(`the gateway at ${target.url} answered ${method} with HTTP ${res.status} and no JSON-RPC body`);
  if (body.error) throw fromWire(body.error);
  return { reachable: true, url: target.url, result: body.result as T };
}
