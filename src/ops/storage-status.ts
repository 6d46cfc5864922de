/**
 * `status` / `doctor` facts about a PostgreSQL store: is the database reachable, at which schema
 * version, which gateway nodes heart-beat into it and which of them hold leases (store/cluster.ts).
 * The URL is shown with its password masked (redact()).
 */
import { SQL } from "bun";
import { LIST_LEASES, LIST_NODES } from "../store/postgres/cluster-sql.ts";
import type { StorageConfig } from "../config/schema.ts";
import { errorMessage } from "../core/errors.ts";
import { redact } from "../core/secrets.ts";

export interface StorageFacts {
  driver: "postgres";
  url: string;
  schema: string;
  reachable: boolean;
  /** highest migration applied, null when the schema has not been created yet */
  schemaVersion: number | null;
  reason?: string;
  /** gateway nodes alive now, and those that stopped or went silent in the last hour (schema version 2 on) */
  nodes?: { id: string; host: string; pid: number; alive: boolean; heartbeatAgeMs: number }[];
  /** leases held by live nodes: `session:<key>` (a run in flight) and `leader:<role>` (e.g. the Telegram poller) */
  leases?: { name: string; node: string }[];
}

export async function probePostgres(storage: StorageConfig, timeoutS = 5): Promise<StorageFacts | null> {
  if (storage.driver !== "postgres" || !storage.url) return null;
  const base = { driver: "postgres" as const, url: redact(storage.url), schema: storage.schema };
  const sql = new SQL(storage.url, { max: 1, connectionTimeout: timeoutS, connection: { search_path: storage.schema } });
  try {
    const [t] = await sql`SELECT to_regclass(${`"${storage.schema}".schema_migrations`}) IS NOT NULL AS ok`;
    const v = t.ok ? Number((await sql.unsafe(`SELECT max(version) AS v FROM "${storage.schema}".schema_migrations`))[0].v) : null;
    if (v === null || v < 2) return { ...base, reachable: true, schemaVersion: v };
    const ttl = storage.cluster?.leaseTtlMs ?? 15_000;
    const [{ now }] = await sql.unsafe("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now");
    const nodes = (await sql.unsafe(LIST_NODES, [ttl])).map((n: Record<string, unknown>) => ({
      id: String(n.node_id), host: String(n.host), pid: Number(n.pid), alive: Boolean(n.alive), heartbeatAgeMs: Math.max(0, Math.round(Number(now) - Number(n.heartbeat))),
    }));
    const leases = (await sql.unsafe(LIST_LEASES, [ttl])).map((l: Record<string, unknown>) => ({ name: String(l.name), node: String(l.node_id) }));
    return { ...base, reachable: true, schemaVersion: v, nodes, leases };
  } catch (err) {
    return { ...base, reachable: false, schemaVersion: null, reason: redact(errorMessage(err)) };
  } finally {
    await sql.close().catch(() => {});
  }
}

/** One line per fact for `status` (the nodes and who holds what); empty before schema version 2. */
export function clusterLines(f: StorageFacts): string[] {
  if (!f.nodes) return [];
  const alive = f.nodes.filter((n) => n.alive);
  const gone = f.nodes.length - alive.length;
  const list = alive.map((n) => `${n.id} (${n.host} pid ${n.pid}, heart-beat ${(n.heartbeatAgeMs / 1000).toFixed(1)} s ago)`);
  const held = new Map<string, number>();
  for (const l of f.leases ?? []) if (l.name.startsWith("session:")) held.set(l.node, (held.get(l.node) ?? 0) + 1);
  const leaders = (f.leases ?? []).filter((l) => l.name.startsWith("leader:")).map((l) => `${l.name.slice(7)} on ${l.node}`);
  return [
    `nodes:     ${alive.length} alive${list.length ? `: ${list.join(", ")}` : ""}${gone ? ` · ${gone} stopped or silent in the last hour` : ""}`,
    `leases:    ${[...held].map(([n, c]) => `${c} run${c === 1 ? "" : "s"} on ${n}`).join(", ") || "no run in flight"}${leaders.length ? ` · leader: ${leaders.join(", ")}` : ""}`,
  ];
}
