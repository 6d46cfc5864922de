/**
 * `PgStore`: the SessionStore on PostgreSQL through Bun's built-in SQL client (no ORM). Several
 * gateway nodes may share one database: `seq` comes from `UPDATE sessions … RETURNING last_seq`
 * inside the append's transaction, so the session row lock orders appends cluster-wide and a
 * rolled-back append consumes nothing (gap-free). Appends are group-committed (group-commit.ts):
 * the appends that arrive while a transaction commits share the next one, and an append resolves
 * after the COMMIT of the transaction that carried it (acknowledged means committed). Tables live in their own schema (`storage.schema`, default `openclaw`), set as the search_path.
 */
import { SQL } from "bun";
import type { StoredEvent } from "../../core/events.ts";
import { StorageError } from "../../core/errors.ts";
import {
  checkTrustedAppend, clampLimit, decodeCursor, encodeCursor, inboxRetention, PRUNE_EVERY, toJsonl, validateAppend,
  validateSessionKey,
} from "../common.ts";
import type {
  AppendInput, AppendOptions, InboxRetention, Page, PairingRecord, PairingStatus, SessionInput, SessionListOptions, SessionRecord,
  SessionStore, StoreOptions, UnfinishedRun,
} from "../types.ts";
import { aliveNode } from "./cluster-sql.ts";
import { mapPgError, rejectedBeforeCommit } from "./errors.ts";
import { appendChecked, appendPlain, insertSessionIfMissing } from "./append.ts";
import { GroupCommit } from "./group-commit.ts";
import { PG_MIGRATIONS } from "./migrations.ts";
import { EVENT_COLS, likePattern, MESSAGE_TYPES, PAIR_COLS, SESSION_COLS, toEvent, toPairing, toSession, type Row } from "./rows.ts";

export interface PgStoreOptions extends StoreOptions {
  url: string;
  schema?: string;
  /** pool size (default 10) */
  max?: number;
  /** the cluster node this store writes for: recorded in `runs.node_id` and `inbox.node_id` (see store/cluster.ts) */
  nodeId?: string;
  /** storage.cluster.leaseTtlMs: a node is alive while its heart-beat is younger (inbox hand-over; default 15,000) */
  leaseTtlMs?: number;
}

type Q = SQL; // a pool or a transaction: both have unsafe()
export class PgStore implements SessionStore {
  readonly schema: string;
  readonly nodeId: string | null;
  readonly #ttlMs: number;
  #sql: SQL;
  readonly #group: GroupCommit<Q>;
  #closed = false;
  #lastTs = 0;
  readonly #clock: () => number;
  readonly #retention: InboxRetention;
  #doneSincePrune = 0;

  constructor(opts: PgStoreOptions) {
    this.schema = opts.schema ?? "openclaw";
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.schema)) throw new StorageError(`storage.schema ${JSON.stringify(this.schema)}: expected a lower-case SQL identifier`);
    const max = opts.max ?? 10;
    this.#sql = new SQL(opts.url, { max, connection: { search_path: this.schema } });
    // at most half the pool in append transactions: reads and the cluster's statements keep theirs
    this.#group = new GroupCommit<Q>((fn) => this.#sql.begin((t) => fn(t as unknown as Q)) as Promise<never>, {
      maxBatches: Math.max(1, Math.floor(max / 2)),
      retryAlone: rejectedBeforeCommit,
    });
    this.#clock = opts.clock ?? Date.now;
    this.nodeId = opts.nodeId ?? null;
    this.#ttlMs = opts.leaseTtlMs ?? 15_000;
    this.#retention = inboxRetention(opts.inboxRetention);
  }

  #now(): number {
    this.#lastTs = Math.max(this.#clock(), this.#lastTs);
    return this.#lastTs;
  }

  /** An append's transaction, shared with the appends that arrive while one commits (group-commit.ts). */
  async #grouped<T>(doing: string, sessionKey: string, fn: (q: Q) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StorageError("the store is closed");
    try {
      return await this.#group.submit(sessionKey, fn);
    } catch (err) {
      throw mapPgError(err, doing);
    }
  }

  /** transactions committed and appends they carried (group commit) */
  get commitStats(): { transactions: number; jobs: number; retriedAlone: number } {
    return { ...this.#group.stats };
  }

  async #run<T>(doing: string, fn: (q: Q) => Promise<T>, tx = false): Promise<T> {
    if (this.#closed) throw new StorageError("the store is closed");
    try {
      return tx ? ((await this.#sql.begin((t) => fn(t as unknown as Q))) as T) : await fn(this.#sql);
    } catch (err) {
      throw mapPgError(err, doing);
    }
  }

  /** Creates the schema and applies the missing migrations (once per database, serialised by an advisory lock). */
  async migrate(): Promise<number> {
    return this.#run("migrating the PostgreSQL schema", async (q) => {
      await q.unsafe("SELECT pg_advisory_xact_lock(hashtext($1))", [`openclaw.migrate.${this.schema}`]);
      await q.unsafe(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await q.unsafe(`CREATE TABLE IF NOT EXISTS "${this.schema}".schema_migrations (version INT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
      const done = new Set((await q.unsafe(`SELECT version FROM "${this.schema}".schema_migrations`)).map((r: Row) => Number(r.version)));
      let applied = 0;
      for (const m of PG_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await q.unsafe(`SET LOCAL search_path TO "${this.schema}"`);
        await q.unsafe(m.sql).simple();
        await q.unsafe(`INSERT INTO "${this.schema}".schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, [m.version, m.name, Date.now()]);
        applied++;
      }
      return applied;
    }, true);
  }

  async #get(q: Q, key: string): Promise<SessionRecord | null> {
    const [r] = await q.unsafe(`SELECT ${SESSION_COLS} FROM sessions WHERE key = $1`, [key]);
    return r ? toSession(r as Row) : null;
  }

  async ensureSession(input: SessionInput): Promise<SessionRecord> {
    validateSessionKey(input?.key);
    return this.#run("creating a session", async (q) => {
      await insertSessionIfMissing(q, input, this.#now());
      return (await this.#get(q, input.key))!;
    });
  }

  getSession(key: string): Promise<SessionRecord | null> {
    return this.#run("reading a session", (q) => this.#get(q, key));
  }

  countSessions(): Promise<number> {
    return this.#run("counting sessions", async (q) => Number((await q.unsafe("SELECT count(*) AS n FROM sessions"))[0].n));
  }

  async listSessions(opts: SessionListOptions = {}): Promise<Page<SessionRecord>> {
    const limit = clampLimit(opts.limit, 50, 1000);
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown): string => `$${args.push(v)}`;
    if (opts.agentId !== undefined) where.push(`agent_id = ${arg(opts.agentId)}`);
    if (opts.channel !== undefined) where.push(`channel = ${arg(opts.channel)}`);
    if (opts.query) {
      // ASCII case-insensitive like SQLite's LIKE: lower() both sides under the C collation
      const p = arg(likePattern(opts.query.replace(/[A-Z]/g, (c) => c.toLowerCase())));
      where.push("(" + ["key", "channel", "peer", "title"].map((c) => `lower(${c}) COLLATE "C" LIKE ${p} ESCAPE '\\'`).join(" OR ") + ")");
    }
    if (opts.cursor) {
      const c = decodeCursor(opts.cursor);
      where.push(`(updated_at < ${arg(c.updatedAt)} OR (updated_at = $${args.length} AND key COLLATE "C" < ${arg(c.key)}))`);
    }
    const text = `SELECT ${SESSION_COLS} FROM sessions ${where.length ? "WHERE " + where.join(" AND ") : ""}
                  ORDER BY updated_at DESC, key COLLATE "C" DESC LIMIT ${arg(limit + 1)}`;
    return this.#run("listing sessions", async (q) => {
      const rows = (await q.unsafe(text, args)) as Row[];
      const items = rows.slice(0, limit).map(toSession);
      const last = items[items.length - 1];
      return rows.length > limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
    });
  }

  messageCounts(keys: readonly string[]): Promise<Record<string, number>> {
    return this.#run("counting messages", async (q) => {
      const out: Record<string, number> = {};
      for (const k of keys) out[k] = 0;
      if (keys.length === 0) return out;
      const rows = (await q.unsafe(
        `SELECT session_key, count(*) AS n FROM events WHERE session_key = ANY($1::text[]) AND type IN ${MESSAGE_TYPES} GROUP BY session_key`,
        [keys],
      )) as Row[];
      for (const r of rows) out[r.session_key as string] = Number(r.n);
      return out;
    });
  }

  setTitle(key: string, title: string): Promise<void> {
    return this.#run("setting a title", async (q) => {
      const now = this.#now();
      await insertSessionIfMissing(q, { key }, now);
      await q.unsafe("UPDATE sessions SET title = $1, updated_at = $2 WHERE key = $3", [title, now, key]);
    }, true);
  }

  deleteSession(key: string): Promise<boolean> {
    return this.#run("deleting a session", async (q) => {
      const origins = (await q.unsafe(
        `SELECT DISTINCT d->'origin'->>'channel' AS channel, d->'origin'->>'updateId' AS update_id
         FROM (SELECT data::jsonb AS d FROM events WHERE session_key = $1 AND type = 'user_message') m
         WHERE jsonb_typeof(d->'origin'->'channel') = 'string' AND d->'origin'->'updateId' IS NOT NULL AND d->'origin'->'updateId' <> 'null'::jsonb`,
        [key],
      )) as Row[];
      for (const r of origins) {
        await q.unsafe("DELETE FROM inbox WHERE channel = $1 AND update_id = $2", [r.channel, r.update_id]);
        await q.unsafe("DELETE FROM kv WHERE namespace = $1 AND key = $2", [`${r.channel as string}.delivery`, r.update_id]);
      }
      const gone = (await q.unsafe("DELETE FROM sessions WHERE key = $1 RETURNING key", [key])) as Row[];
      if (gone.length === 0) return false;
      await q.unsafe("DELETE FROM events WHERE session_key = $1", [key]);
      await q.unsafe("DELETE FROM runs WHERE session_key = $1", [key]);
      return true;
    }, true);
  }

  async append(sessionKey: string, input: AppendInput, opts?: AppendOptions): Promise<StoredEvent> {
    const [e] = await this.appendMany(sessionKey, [input], opts);
    return e!;
  }

  async appendMany(sessionKey: string, inputs: AppendInput[], opts?: AppendOptions): Promise<StoredEvent[]> {
    validateSessionKey(sessionKey);
    const items = opts?.trusted ? inputs.map(checkTrustedAppend) : inputs.map(validateAppend); // before any write
    // one append of a session at a time from this process: seqs follow the call order (as SQLite's write
    // queue does), so the runtime's per-session queue order is the user_seq order the cluster runs by
    const prev = this.#tails.get(sessionKey);
    const mine = (prev ? prev.then(() => this.#appendNow(sessionKey, items, opts)) : this.#appendNow(sessionKey, items, opts));
    const tail = mine.then(() => {}, () => {});
    this.#tails.set(sessionKey, tail);
    void tail.then(() => {
      if (this.#tails.get(sessionKey) === tail) this.#tails.delete(sessionKey);
    });
    return mine;
  }

  readonly #tails = new Map<string, Promise<void>>();

  #appendNow(sessionKey: string, items: AppendInput[], opts?: AppendOptions): Promise<StoredEvent[]> {
    const at = { sessionKey, session: opts?.session, nodeId: this.nodeId };
    const plain = items.length > 0 && items.every((i) => i.idempotencyKey === undefined);
    return this.#grouped("appending events", sessionKey, (q) => (plain ? appendPlain : appendChecked)(q, at, items, opts?.ts ?? this.#now()));
  }

  readRange(sessionKey: string, fromSeq: number, toSeq?: number, limit?: number): Promise<StoredEvent[]> {
    return this.#run("reading events", async (q) => {
      const rows = (await q.unsafe(
        `SELECT ${EVENT_COLS} FROM events WHERE session_key = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq LIMIT $4`,
        [sessionKey, fromSeq, toSeq ?? Number.MAX_SAFE_INTEGER, limit === undefined ? null : Math.max(0, limit)],
      )) as Row[];
      return rows.map(toEvent);
    });
  }

  readLatest(sessionKey: string, n: number): Promise<StoredEvent[]> {
    if (n <= 0) return Promise.resolve([]);
    return this.#run("reading events", async (q) => {
      const rows = (await q.unsafe(`SELECT ${EVENT_COLS} FROM events WHERE session_key = $1 ORDER BY seq DESC LIMIT $2`, [sessionKey, n])) as Row[];
      return rows.reverse().map(toEvent);
    });
  }

  findByIdempotencyKey(idempotencyKey: string): Promise<StoredEvent | null> {
    return this.#run("reading events", async (q) => {
      const [r] = (await q.unsafe(`SELECT ${EVENT_COLS} FROM events WHERE idempotency_key = $1`, [idempotencyKey])) as Row[];
      return r ? toEvent(r) : null;
    });
  }

  exportJsonl(sessionKey: string): Promise<string> {
    return this.#run("exporting a session", async (q) => {
      const s = await this.#get(q, sessionKey);
      if (!s) throw new StorageError(`no session ${JSON.stringify(sessionKey)}`);
      const rows = (await q.unsafe(`SELECT ${EVENT_COLS} FROM events WHERE session_key = $1 ORDER BY seq`, [sessionKey])) as Row[];
      return toJsonl(s, rows.map(toEvent));
    }, true);
  }

  listUnfinishedRuns(): Promise<UnfinishedRun[]> {
    return this.#run("listing runs", async (q) => {
      const rows = (await q.unsafe("SELECT session_key, run_id, started_at FROM runs ORDER BY started_at, session_key, run_id")) as Row[];
      return rows.map((r) => ({ sessionKey: r.session_key as string, runId: r.run_id as string, startedAt: Number(r.started_at) }));
    });
  }

  inboxPut(channel: string, updateId: string, payload: unknown): Promise<boolean> {
    return this.#run("writing the inbox", async (q) => {
      const rows = (await q.unsafe(
        "INSERT INTO inbox (channel, update_id, payload, done, created_at, node_id) VALUES ($1, $2, $3, false, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
        [channel, updateId, JSON.stringify(payload ?? null), this.#now(), this.nodeId],
      )) as Row[];
      return rows.length > 0;
    });
  }

  async inboxDone(channel: string, updateId: string): Promise<void> {
    const prune = ++this.#doneSincePrune >= PRUNE_EVERY;
    if (prune) this.#doneSincePrune = 0;
    await this.#run("writing the inbox", (q) =>
      q.unsafe("UPDATE inbox SET done = true, done_at = $1 WHERE channel = $2 AND update_id = $3 AND NOT done", [this.#now(), channel, updateId]),
    );
    if (prune) await this.inboxPrune(channel);
  }

  inboxPrune(channel: string): Promise<number> {
    return this.#run("pruning the inbox", async (q) => {
      let cutoff = this.#now() - this.#retention.keepDoneMs;
      if (this.#retention.keepDoneMin > 0) {
        const [floor] = (await q.unsafe(
          "SELECT done_at FROM inbox WHERE channel = $1 AND done ORDER BY done_at DESC LIMIT 1 OFFSET $2",
          [channel, this.#retention.keepDoneMin - 1],
        )) as Row[];
        if (!floor) return 0;
        cutoff = Math.min(cutoff, Number(floor.done_at));
      }
      const gone = (await q.unsafe("DELETE FROM inbox WHERE channel = $1 AND done AND done_at < $2 RETURNING id", [channel, cutoff])) as Row[];
      return gone.length;
    }, true);
  }

  /**
   * Pending updates to handle here. Without a node id: all of them. With one (a cluster node): this
   * node's own, plus the ones of nodes that are not alive, claimed in the same statement (so two nodes
   * never both take one over); a live node's updates in flight are left to it.
   */
  inboxPending(channel: string): Promise<{ updateId: string; payload: unknown }[]> {
    return this.#run("reading the inbox", async (q) => {
      if (this.nodeId === null) {
        const rows = (await q.unsafe("SELECT update_id, payload FROM inbox WHERE channel = $1 AND NOT done ORDER BY created_at, id", [channel])) as Row[];
        return rows.map((r) => ({ updateId: r.update_id as string, payload: JSON.parse(r.payload as string) as unknown }));
      }
      await q.unsafe(
        `UPDATE inbox i SET node_id = $2 WHERE i.channel = $1 AND NOT i.done AND i.node_id IS DISTINCT FROM $2
           AND (i.node_id IS NULL OR NOT ${aliveNode("n", "i.node_id", "$3")})`,
        [channel, this.nodeId, this.#ttlMs],
      );
      const rows = (await q.unsafe("SELECT update_id, payload FROM inbox WHERE channel = $1 AND NOT done AND node_id = $2 ORDER BY created_at, id", [channel, this.nodeId])) as Row[];
      return rows.map((r) => ({ updateId: r.update_id as string, payload: JSON.parse(r.payload as string) as unknown }));
    }, true);
  }

  kvGet(namespace: string, key: string): Promise<unknown> {
    return this.#run("reading state", async (q) => {
      const [r] = (await q.unsafe("SELECT value FROM kv WHERE namespace = $1 AND key = $2", [namespace, key])) as Row[];
      return r ? (JSON.parse(r.value as string) as unknown) : undefined;
    });
  }

  kvSet(namespace: string, key: string, value: unknown): Promise<void> {
    return this.#run("writing state", async (q) => {
      if (value === undefined) await q.unsafe("DELETE FROM kv WHERE namespace = $1 AND key = $2", [namespace, key]);
      else {
        await q.unsafe("INSERT INTO kv (namespace, key, value) VALUES ($1, $2, $3) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value", [
          namespace, key, JSON.stringify(value),
        ]);
      }
    });
  }

  pairingUpsert(p: PairingRecord): Promise<void> {
    return this.#run("writing a pairing request", async (q) => {
      await q.unsafe(
        `INSERT INTO pairing (${PAIR_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (channel, peer_id) DO UPDATE SET code = excluded.code, status = excluded.status,
           created_at = excluded.created_at, expires_at = excluded.expires_at, meta = excluded.meta`,
        [p.channel, p.peerId, p.code, p.status, p.createdAt, p.expiresAt, JSON.stringify(p.meta ?? {})],
      );
    });
  }

  pairingList(channel?: string, status?: PairingStatus): Promise<PairingRecord[]> {
    return this.#run("reading pairing requests", async (q) => {
      const rows = (await q.unsafe(
        `SELECT ${PAIR_COLS} FROM pairing WHERE ($1::text IS NULL OR channel = $1) AND ($2::text IS NULL OR status = $2) ORDER BY created_at, peer_id COLLATE "C"`,
        [channel ?? null, status ?? null],
      )) as Row[];
      return rows.map(toPairing);
    });
  }

  pairingGet(channel: string, peerId: string): Promise<PairingRecord | null> {
    return this.#run("reading pairing requests", async (q) => {
      const [r] = (await q.unsafe(`SELECT ${PAIR_COLS} FROM pairing WHERE channel = $1 AND peer_id = $2`, [channel, peerId])) as Row[];
      return r ? toPairing(r) : null;
    });
  }

  pairingByCode(channel: string, code: string): Promise<PairingRecord | null> {
    return this.#run("reading pairing requests", async (q) => {
      const [r] = (await q.unsafe(`SELECT ${PAIR_COLS} FROM pairing WHERE channel = $1 AND code = $2 LIMIT 1`, [channel, code])) as Row[];
      return r ? toPairing(r) : null;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sql.close();
  }
}

/** Connects, creates the schema and applies migrations. Throws StorageError (with the fix) when the database is unreachable. */
export async function openPgStore(opts: PgStoreOptions): Promise<PgStore> {
  const store = new PgStore(opts);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}
