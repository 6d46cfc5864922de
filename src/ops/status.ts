/**
 * `openclaw status`: the running gateway's own answer (the `status` RPC over POST /rpc with the
 * token the gateway uses), or, when none answers, the facts that can be read offline: config
 * path, state dir, database size, the daemon unit and its state.
 *
 * Throws GatewayStatusError when a gateway answers but refuses (a wrong token) or answers with
 * an error: that is not "not running".
 */
import { existsSync, statSync } from "node:fs";
import { configPath, databasePath, stateDir } from "../config/paths.ts";
import { OpenClawError } from "../core/errors.ts";
import { daemonStatus } from "../daemon/control.ts";
import { redact } from "../core/secrets.ts";
import { bindHost } from "../gateway/server.ts";
import { findToken } from "./checks/auth.ts";
import { clientHost } from "./checks/port.ts";
import { doctorContext } from "./doctor.ts";

export class GatewayStatusError extends OpenClawError {
  static override readonly type: string = "GatewayStatusError";
}

const TIMEOUT_MS = 5000;

export interface OfflineFacts {
  configPath: string;
  configExists: boolean;
  stateDir: string;
  databasePath: string;
  /** the database file plus its WAL, null when there is none */
  databaseBytes: number | null;
  daemon: { unit: string; state: string } | null;
}

/** `configError`: the config does not load, so the defaults' address was asked (run openclaw doctor) */
export type StatusReport = ({ running: true; url: string; gateway: Record<string, unknown> } | { running: false; url: string; reason: string; offline: OfflineFacts }) & { configError?: string };

function size(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

/** The installed unit and the service manager's state for it; "unknown (why)" when the manager cannot be asked. */
async function daemonFacts(): Promise<OfflineFacts["daemon"]> {
  const d = await daemonStatus().catch(() => null); // no service manager on this platform
  if (!d?.installed) return null;
  return { unit: d.unitPath, state: d.reachable ? d.state : `unknown (${d.reason ?? "the service manager cannot be asked"})` };
}

export async function offlineFacts(): Promise<OfflineFacts> {
  const db = databasePath();
  const dbBytes = size(db);
  return {
    configPath: configPath(),
    configExists: existsSync(configPath()),
    stateDir: stateDir(),
    databasePath: db,
    databaseBytes: dbBytes === null ? null : dbBytes + (size(`${db}-wal`) ?? 0),
    daemon: await daemonFacts(),
  };
}

export async function gatewayStatus(opts: { env?: Record<string, string | undefined> } = {}): Promise<StatusReport> {
  const ctx = doctorContext(opts.env ? { env: opts.env } : {});
  const url = `http://${clientHost(bindHost(ctx.config.gateway.bind))}:${ctx.config.gateway.port}`;
  const token = ctx.config.gateway.auth.mode === "none" ? null : findToken(ctx);
  const note = ctx.configError ? { configError: ctx.configError } : {};
  let res: Response;
  try {
    res = await fetch(`${url}/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token.value}` } : {}) },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "status", params: {} }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const reason = (err as Error).name === "TimeoutError" ? `nothing answered at ${url} within ${TIMEOUT_MS / 1000} s` : `no gateway is running at ${url}`;
    return { running: false, url, reason, offline: await offlineFacts(), ...note };
  }
  if (res.status === 401) throw new GatewayStatusError(`the gateway at ${url} refused the token${token ? ` from ${token.where}` : " (none found)"}: use the token the gateway uses (OPENCLAW_GATEWAY_TOKEN, gateway.auth.token or the token file)`);
  const body = (await res.json().catch(() => null)) as { result?: Record<string, unknown>; error?: { message?: string } } | null;
  if (!body?.result) throw new GatewayStatusError(`the gateway at ${url} answered ${res.status}: ${redact(body?.error?.message ?? "not a JSON-RPC answer (is this an openclaw gateway?)")}`);
  return { running: true, url, gateway: body.result, ...note };
}
