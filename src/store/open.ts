/**
 * The store the config asks for: `storage.driver` "sqlite" (default; the file under the state dir)
 * or "postgres" (`storage.url` / OPENCLAW_DATABASE_URL, tables in `storage.schema`).
 */
import { ConfigError } from "../core/errors.ts";
import type { StorageConfig } from "../config/schema.ts";
import type { Logger } from "../core/log.ts";
import { singleNodeFanout, type Fanout } from "./fanout.ts";
import { openPgFanout } from "./postgres/fanout.ts";
import { newNodeId, SingleNodeCluster, type Cluster } from "./cluster.ts";
import { PgCluster } from "./postgres/cluster.ts";
import { openPgStore, PgStore } from "./postgres/store.ts";
import { openStore } from "./sqlite.ts";
import type { SessionStore, StoreOptions } from "./types.ts";

export async function openConfiguredStore(storage: StorageConfig | undefined, opts: StoreOptions & { nodeId?: string } = {}): Promise<SessionStore> {
  if (storage?.driver === "postgres") {
    // the schema refuses driver "postgres" without a URL, so this is only reached from code that skipped it
    if (!storage.url) throw new ConfigError('storage.driver "postgres" needs storage.url or OPENCLAW_DATABASE_URL');
    // every PostgreSQL store writes for a node (runs.node_id): openCluster() below heart-beats for it
    return openPgStore({
      ...opts, url: storage.url, schema: storage.schema, nodeId: opts.nodeId ?? newNodeId(),
      ...(storage.cluster ? { leaseTtlMs: storage.cluster.leaseTtlMs } : {}),
    });
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

/**
 * The cluster for a store opened by `openConfiguredStore`: PostgreSQL → a `PgCluster` with the store's
 * node id (runs it records carry that id); otherwise one node alone. Not started: call `start()`.
 */
export function openCluster(storage: StorageConfig | undefined, store: SessionStore): Cluster {
  if (store instanceof PgStore && storage?.url) {
    const c = storage.cluster;
    return new PgCluster({
      url: storage.url, schema: store.schema, ...(store.nodeId ? { nodeId: store.nodeId } : {}),
      ...(c ? { leaseTtlMs: c.leaseTtlMs, heartbeatMs: c.heartbeatMs } : {}),
    });
  }
  return new SingleNodeCluster(store, { driver: store instanceof PgStore ? "postgres" : "sqlite" });
}
