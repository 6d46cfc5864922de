/**
 * `openclaw status`: the running gateway's own answer (the `status` RPC through
 * gateway-client.ts, so only the gateway holding this state dir's lock is asked and given the
 * token), or, when none answers, the facts that can be read offline: config
 * path, state dir, database size, the daemon unit and its state.
 *
 * Throws GatewayStatusError when a gateway answers but refuses (a wrong token) or answers with
 * an error: that is not "not running".
 */
import { existsSync, statSync } from "node:fs";
import { configPath, databasePath, stateDir } from "../config/paths.ts";
import { errorMessage, OpenClawError } from "../core/errors.ts";
import { daemonStatus } from "../daemon/control.ts";
import { redact } from "../core/secrets.ts";
import { doctorContext } from "./doctor.ts";
import { probePostgres, type StorageFacts } from "./storage-status.ts";
import type { StorageConfig } from "../config/schema.ts";
import { callGateway, gatewayUrl, type GatewayAnswer } from "./gateway-client.ts";
import { checkUpdate } from "./update.ts";

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
  /** with storage.driver "postgres": the database, reachable or not (the SQLite file above is then unused) */
  storage?: StorageFacts;
}

/** `configError`: the config does not load, so the defaults' address was asked (run openclaw doctor) */
/** `update.check` on: what the signed release manifest at `update.url` says (no network call without it). */
export type UpdateStatus = { current: string; latest: string; available: boolean } | { current: string; error: string };

export type StatusReport = ({ running: true; url: string; gateway: Record<string, unknown> } | { running: false; url: string; reason: string; offline: OfflineFacts }) & { configError?: string; update?: UpdateStatus };

const UPDATE_CHECK_MS = 5_000;

/** Asks the release manifest only when `update.check` is true and `update.url` is set. */
export async function updateStatus(update: { check: boolean; url?: string | undefined } | undefined, current: string, pubkey?: string | null): Promise<UpdateStatus | undefined> {
  if (!update?.check || !update.url) return undefined;
  // status must answer promptly: a slow release server costs at most UPDATE_CHECK_MS, then says so
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the release manifest at ${update.url} did not answer within ${UPDATE_CHECK_MS / 1000} s`)), UPDATE_CHECK_MS);
  });
  try {
    const { manifest, newer } = await Promise.race([checkUpdate({ current, url: update.url, ...(pubkey !== undefined ? { pubkey } : {}) }), late]);
    return { current, latest: manifest.version, available: newer };
  } catch (err) {
    return { current, error: redact(errorMessage(err)) };
  } finally {
    clearTimeout(timer);
  }
}

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

export async function offlineFacts(storageConfig?: StorageConfig): Promise<OfflineFacts> {
  const db = databasePath();
  const dbBytes = size(db);
  const storage = storageConfig ? await probePostgres(storageConfig) : null;
  return {
    ...(storage ? { storage } : {}),
    configPath: configPath(),
    configExists: existsSync(configPath()),
    stateDir: stateDir(),
    databasePath: db,
    databaseBytes: dbBytes === null ? null : dbBytes + (size(`${db}-wal`) ?? 0),
    daemon: await daemonFacts(),
  };
}

export async function gatewayStatus(opts: { env?: Record<string, string | undefined>; version?: string } = {}): Promise<StatusReport> {
  const ctx = doctorContext(opts.env ? { env: opts.env } : {});
  const url = gatewayUrl(ctx.config);
  const update = opts.version ? await updateStatus(ctx.config?.update, opts.version) : undefined;
  const note = { ...(ctx.configError ? { configError: ctx.configError } : {}), ...(update ? { update } : {}) };
  let answer: GatewayAnswer<Record<string, unknown>>;
  try {
    answer = await callGateway<Record<string, unknown>>("status", {}, { config: ctx.config, envOverrides: ctx.envOverrides, timeoutMs: TIMEOUT_MS });
  } catch (err) {
    throw new GatewayStatusError(redact(errorMessage(err)));
  }
  if (!answer.reachable) {
    const reason = answer.running ? answer.reason : `no gateway is running at ${url} for this state dir`;
    return { running: false, url, reason, offline: await offlineFacts(ctx.config?.storage), ...note };
  }
  if (!answer.result || typeof answer.result !== "object") throw new GatewayStatusError(`the gateway at ${url} answered status without a result (is this an openclaw gateway?)`);
  return { running: true, url, gateway: answer.result, ...note };
}
