/**
 * The one rule for verbs that work with or without the gateway: when the gateway of this state dir
 * is up, ask it (it owns the store: runs, caches and subscribers stay consistent, and no second
 * writer meets its locks); when none runs, open the store file directly. When a gateway holds the
 * lock but does not answer, reads still go to the store (WAL readers never block its writer) and
 * writes are refused with the reason, rather than racing a live gateway behind its back. A verb
 * that only reads (or finds nothing to change) answers without creating a database that is not there.
 */
import { existsSync } from "node:fs";
import { loadConfig } from "../config/load.ts";
import { databasePath } from "../config/paths.ts";
import type { StorageConfig } from "../config/schema.ts";
import { UnavailableError } from "../core/errors.ts";
import type { SessionStore } from "../store/types.ts";
import { callGateway, type ClientOptions } from "./gateway-client.ts";

export type Source = "gateway" | "store";

export interface Route<R, T> {
  method: string;
  params: Record<string, unknown>;
  /** changes state: refused when a gateway runs but does not answer */
  write: boolean;
  /** maps the RPC result onto the verb's data */
  remote: (result: R) => T | Promise<T>;
  /** the same verb on the store */
  local: (store: SessionStore) => Promise<T>;
  /** the answer when there is no database file yet (nothing is created then); default: open it, creating it */
  missing?: () => T | Promise<T>;
}

/** storage.* of the config; SQLite's defaults when the config does not load (as before storage.* existed) */
function storageConfig(): StorageConfig | undefined {
  try {
    return loadConfig().config.storage;
  } catch {
    return undefined;
  }
}

export async function withStore<T>(fn: (store: SessionStore) => Promise<T>): Promise<T> {
  const { openConfiguredStore } = await import("../store/open.ts");
  const store = await openConfiguredStore(storageConfig()); // SQLite, or PostgreSQL with storage.driver
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function viaGatewayOrStore<R, T>(route: Route<R, T>, opts: ClientOptions = {}): Promise<{ source: Source; data: T }> {
  const answer = await callGateway<R>(route.method, route.params, opts);
  if (answer.reachable) return { source: "gateway", data: await route.remote(answer.result) };
  if (answer.running && route.write) throw new UnavailableError(`${answer.reason}; not changing the store behind a running gateway`);
  if (route.missing && storageConfig()?.driver !== "postgres" && !existsSync(databasePath())) return { source: "store", data: await route.missing() };
  return { source: "store", data: await withStore(route.local) };
}
