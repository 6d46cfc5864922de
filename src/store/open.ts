/**
 * The store the config asks for: `storage.driver` "sqlite" (default; the file under the state dir)
 * or "postgres" (`storage.url` / OPENCLAW_DATABASE_URL, tables in `storage.schema`).
 */
import { ConfigError } from "../core/errors.ts";
import type { StorageConfig } from "../config/schema.ts";
import type { Logger } from "../core/log.ts";
import { singleNodeFanout, type Fanout } from "./fanout.ts";
import { openPgFanout } from "./postgres/fanout.ts";
import { openPgStore } from "./postgres/store.ts";
import { openStore } from "./sqlite.ts";
import type { SessionStore, StoreOptions } from "./types.ts";

export async function openConfiguredStore(storage: StorageConfig | undefined, opts: StoreOptions = {}): Promise<SessionStore> {
  if (storage?.driver === "postgres") {
    // the schema refuses driver "postgres" without a URL, so this is only reached from code that skipped it
    if (!storage.url) throw new ConfigError('storage.driver "postgres" needs storage.url or OPENCLAW_DATABASE_URL');
    return openPgStore({ ...opts, url: storage.url, schema: storage.schema });
  }
  return openStore(undefined, opts);
}

/**
 * The event fan-out next to that store: LISTEN/NOTIFY on PostgreSQL (several nodes may share the
 * database), nothing on SQLite (one node). Open it after the store (the store applies the migrations).
 */
export async function openConfiguredFanout(storage: StorageConfig | undefined, opts: { origin?: string; log?: Logger } = {}): Promise<Fanout> {
  if (storage?.driver === "postgres" && storage.url) return openPgFanout({ url: storage.url, schema: storage.schema, ...opts });
  return singleNodeFanout(opts.origin);
}
