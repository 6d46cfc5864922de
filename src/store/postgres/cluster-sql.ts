/**
 * The SQL of PgCluster (cluster.ts), in one place. Every time is the DATABASE clock
 * (clock_timestamp()), never a node's: nodes with skewed clocks still agree on who is alive.
 * `$ttl` is storage.cluster.leaseTtlMs in milliseconds.
 */

/** a node is alive while it has not stopped and its heart-beat is younger than the TTL */
export const aliveNode = (alias: string, nodeExpr: string, ttlParam: string): string =>
  `EXISTS (SELECT 1 FROM nodes ${alias} WHERE ${alias}.node_id = ${nodeExpr} AND ${alias}.stopped_at IS NULL
     AND ${alias}.heartbeat_at > clock_timestamp() - make_interval(secs => ${ttlParam}::float8 / 1000))`;

export const REGISTER = `INSERT INTO nodes (node_id, host, pid, started_at, heartbeat_at) VALUES ($1, $2, $3, clock_timestamp(), clock_timestamp())
  ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = clock_timestamp(), stopped_at = NULL`;

export const HEARTBEAT = "UPDATE nodes SET heartbeat_at = clock_timestamp() WHERE node_id = $1 AND stopped_at IS NULL RETURNING node_id";

/** node rows nobody refers to that stopped or went silent a day ago */
export const PRUNE_NODES = `DELETE FROM nodes n WHERE coalesce(n.stopped_at, n.heartbeat_at) < clock_timestamp() - interval '1 day'
  AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.node_id = n.node_id) AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.node_id = n.node_id)`;

/**
 * One upsert: the lease is taken when it is free, already ours, or its node is dead — and only while our
 * own node is alive. With $4 (session key) set, also only when no unfinished run of that session with a
 * lower user_seq ($5) remains (runs without a user_seq came from older builds: they count as earlier).
 * Params: $1 name, $2 node, $3 ttl ms, $4 session key or null, $5 user seq or null. Returns a row when held.
 */
export const ACQUIRE = `INSERT INTO leases (name, node_id, acquired_at)
  SELECT $1, $2, clock_timestamp()
  WHERE ${aliveNode("me", "$2", "$3")}
    AND ($4::text IS NULL OR NOT EXISTS (SELECT 1 FROM runs r WHERE r.session_key = $4::text AND (r.user_seq IS NULL OR r.user_seq < $5::bigint)))
  ON CONFLICT (name) DO UPDATE SET node_id = excluded.node_id, acquired_at = excluded.acquired_at
  WHERE leases.node_id = excluded.node_id OR NOT ${aliveNode("n", "leases.node_id", "$3")}
  RETURNING node_id`;

/** deletes our row and, in the same statement, wakes the waiters ($3: the schema's lease channel) */
export const RELEASE = "WITH gone AS (DELETE FROM leases WHERE name = $1 AND node_id = $2 RETURNING name) SELECT pg_notify($3, name) FROM gone";

/**
 * Unfinished runs nobody will finish: their node is not alive (or unknown: rows from older builds or a
 * copied SQLite state), or they are ours and older than $3 (epoch ms, our clock, like started_at) —
 * a run whose last write failed while the database was away; the runtime skips the ones still live.
 * $1 ttl, $2 our node.
 */
export const ORPHANS = `SELECT r.session_key, r.run_id, r.started_at, r.node_id = $2 AS own FROM runs r
  WHERE (r.node_id IS DISTINCT FROM $2 AND (r.node_id IS NULL OR NOT ${aliveNode("n", "r.node_id", "$1")}))
     OR (r.node_id = $2 AND r.started_at < $3)
  ORDER BY r.session_key, r.user_seq NULLS FIRST, r.started_at LIMIT 500`;

export const RUN_EXISTS = "SELECT 1 AS one FROM runs WHERE session_key = $1 AND run_id = $2";

export const STOP_NODE = "UPDATE nodes SET stopped_at = clock_timestamp() WHERE node_id = $1";
export const RELEASE_ALL = "DELETE FROM leases WHERE node_id = $1 RETURNING name";

export const epochMs = (col: string): string => `(extract(epoch FROM ${col}) * 1000)::float8`;

/** nodes alive, and the ones that stopped or went silent in the last hour */
export const LIST_NODES = `SELECT node_id, host, pid, ${epochMs("started_at")} AS started, ${epochMs("heartbeat_at")} AS heartbeat,
    (stopped_at IS NULL AND heartbeat_at > clock_timestamp() - make_interval(secs => $1::float8 / 1000)) AS alive
  FROM nodes WHERE coalesce(stopped_at, heartbeat_at) > clock_timestamp() - interval '1 hour' OR stopped_at IS NULL
  ORDER BY started_at DESC LIMIT 100`;

export const LIST_LEASES = `SELECT l.name, l.node_id FROM leases l WHERE ${aliveNode("n", "l.node_id", "$1")} ORDER BY l.name LIMIT 1000`;
