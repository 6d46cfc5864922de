/**
 * The store the config asks for: `storage.driver` "sqlite" (default; the file under the state dir)
 * or "postgres" (`storage.url` / OPENCLAW_DATABASE_URL, tables in `storage.schema`).
 */
import { ConfigError } from "../core/errors.ts";
import type { StorageConfig } from "../config/schema.ts";
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
