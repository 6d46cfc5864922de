-- openclaw store, schema 1. Sessions, the append-only event log, runs (for crash recovery),
-- the channel inbox (update de-duplication), small key/value state and pairing requests.
CREATE TABLE sessions (
  key        TEXT PRIMARY KEY,
  agent_id   TEXT NOT NULL,
  channel    TEXT,
  peer       TEXT,
  title      TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_seq   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX sessions_by_updated ON sessions (updated_at DESC, key DESC);
CREATE INDEX sessions_by_agent ON sessions (agent_id, updated_at DESC, key DESC);

CREATE TABLE events (
  session_key     TEXT NOT NULL,
  seq             INTEGER NOT NULL,
  ts              INTEGER NOT NULL,
  type            TEXT NOT NULL,
  data            TEXT NOT NULL,
  idempotency_key TEXT UNIQUE,
  PRIMARY KEY (session_key, seq)
) STRICT;

CREATE TABLE runs (
  session_key TEXT NOT NULL,
  run_id      TEXT NOT NULL,
  started_at  INTEGER NOT NULL,
  finished    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (session_key, run_id)
) STRICT;
CREATE INDEX runs_unfinished ON runs (started_at) WHERE finished = 0;

CREATE TABLE inbox (
  channel    TEXT NOT NULL,
  update_id  TEXT NOT NULL,
  payload    TEXT NOT NULL,
  done       INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (channel, update_id)
) STRICT;
CREATE INDEX inbox_pending ON inbox (channel, created_at) WHERE done = 0;

CREATE TABLE kv (
  namespace TEXT NOT NULL,
  key       TEXT NOT NULL,
  value     TEXT NOT NULL,
  PRIMARY KEY (namespace, key)
) STRICT;

CREATE TABLE pairing (
  channel    TEXT NOT NULL,
  peer_id    TEXT NOT NULL,
  code       TEXT NOT NULL,
  status     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  meta       TEXT NOT NULL,
  PRIMARY KEY (channel, peer_id)
) STRICT;
CREATE INDEX pairing_by_code ON pairing (channel, code);
