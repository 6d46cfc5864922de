/**
 * PostgreSQL schema migrations, embedded as code (they ship inside the binary like SQLite's). Each
 * runs once, in order, in one transaction, under an advisory lock so nodes starting together do not
 * race; `schema_migrations` records the versions applied. Tables mirror the SQLite schema
 * (src/store/migrations/), with BIGINT times and JSON kept as TEXT (byte-exact round trips).
 */
export const PG_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: "init",
    sql: `
CREATE TABLE sessions (
  key TEXT PRIMARY KEY, agent_id TEXT NOT NULL, channel TEXT, peer TEXT, title TEXT,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, last_seq BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_updated ON sessions (updated_at DESC, key DESC);
CREATE INDEX sessions_by_agent ON sessions (agent_id, updated_at DESC, key DESC);
CREATE TABLE events (
  session_key TEXT NOT NULL, seq BIGINT NOT NULL, ts BIGINT NOT NULL, type TEXT NOT NULL,
  data TEXT NOT NULL, idempotency_key TEXT UNIQUE, PRIMARY KEY (session_key, seq)
);
CREATE INDEX events_messages ON events (session_key, type) WHERE type IN ('user_message', 'assistant_message');
CREATE TABLE runs (
  session_key TEXT NOT NULL, run_id TEXT NOT NULL, started_at BIGINT NOT NULL, PRIMARY KEY (session_key, run_id)
);
CREATE TABLE inbox (
  id BIGSERIAL, channel TEXT NOT NULL, update_id TEXT NOT NULL, payload TEXT NOT NULL,
  done BOOLEAN NOT NULL DEFAULT false, created_at BIGINT NOT NULL, done_at BIGINT,
  PRIMARY KEY (channel, update_id)
);
CREATE INDEX inbox_pending ON inbox (channel, created_at, id) WHERE NOT done;
CREATE INDEX inbox_done ON inbox (channel, done_at) WHERE done;
CREATE TABLE kv (namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (namespace, key));
CREATE TABLE pairing (
  channel TEXT NOT NULL, peer_id TEXT NOT NULL, code TEXT NOT NULL, status TEXT NOT NULL,
  created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, meta TEXT NOT NULL, PRIMARY KEY (channel, peer_id)
);
CREATE INDEX pairing_by_code ON pairing (channel, code);
`,
  },
  {
    version: 2,
    name: "cluster",
    // nodes: one row per gateway process start (heart-beats on the database clock); leases: valid while
    // their node's heart-beat is younger than storage.cluster.leaseTtlMs; runs: who runs it, in what order
    sql: `
CREATE TABLE nodes (
  node_id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INT NOT NULL,
  started_at TIMESTAMPTZ NOT NULL, heartbeat_at TIMESTAMPTZ NOT NULL, stopped_at TIMESTAMPTZ
);
CREATE TABLE leases (name TEXT PRIMARY KEY, node_id TEXT NOT NULL, acquired_at TIMESTAMPTZ NOT NULL);
CREATE INDEX leases_by_node ON leases (node_id);
ALTER TABLE runs ADD COLUMN node_id TEXT, ADD COLUMN user_seq BIGINT;
CREATE INDEX runs_by_node ON runs (node_id);
ALTER TABLE inbox ADD COLUMN node_id TEXT;
`,
  },
  {
    // fan-out (src/store/postgres/fanout.ts): events too large for a NOTIFY payload, read once by the
    // other nodes and pruned after a few minutes. UNLOGGED: live streaming only, nothing to recover after a crash.
    version: 3,
    name: "fanout_outbox",
    sql: `
CREATE UNLOGGED TABLE fanout_outbox (
  id BIGSERIAL PRIMARY KEY, session_key TEXT NOT NULL, payload TEXT NOT NULL, created_at BIGINT NOT NULL
);
CREATE INDEX fanout_outbox_by_created ON fanout_outbox (created_at);
`,
  },
];
