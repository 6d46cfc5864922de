/**
 * The event log: appends (inside the writer's transaction) and reads. `seq` is `last_seq + 1` of
 * the session row, assigned inside the transaction, so it is gap-free: a rolled-back append
 * consumes nothing. The `runs` table holds the runs that have started and not finished, for crash
 * recovery: a row is inserted with the run's first event (user_message or run_started) and deleted
 * by its run_finished, so the table stays as small as the number of runs in flight (its pages stay
 * hot, and a commit dirties few of them).
 */
import type { Database } from "bun:sqlite";
import type { StoredEvent, StoredEventData } from "../core/events.ts";
import { ensureSessionRow } from "./sessions.ts";
import type { SessionInput, UnfinishedRun } from "./types.ts";

interface EventRow {
  session_key: string;
  seq: number;
  ts: number;
  type: string;
  data: string;
  idempotency_key: string | null;
}

const COLS = "session_key, seq, ts, type, data, idempotency_key";

export function toEvent(r: EventRow): StoredEvent {
  const data = JSON.parse(r.data) as StoredEventData;
  const e: StoredEvent = { sessionKey: r.session_key, seq: r.seq, ts: r.ts, type: data.type, data };
  if (r.idempotency_key !== null) e.idempotencyKey = r.idempotency_key;
  return e;
}

export function findByIdem(db: Database, key: string): StoredEvent | null {
  const r = db.query<EventRow, [string]>(`SELECT ${COLS} FROM events WHERE idempotency_key = ?`).get(key);
  return r ? toEvent(r) : null;
}

/** Appends validated items in order; an item whose idempotency key exists returns the first event. */
export function appendRows(
  db: Database,
  sessionKey: string,
  items: { data: StoredEventData; idempotencyKey?: string }[],
  now: number,
  session?: Omit<SessionInput, "key">,
): StoredEvent[] {
  const out: StoredEvent[] = [];
  if (items.length > 0 && !items.some((i) => i.idempotencyKey !== undefined)) return appendFresh(db, sessionKey, items, now, session);
  const row = db.query<{ last_seq: number }, [string]>("SELECT last_seq FROM sessions WHERE key = ?").get(sessionKey);
  let lastSeq = row ? row.last_seq : ensureSessionRow(db, { ...session, key: sessionKey }, now).lastSeq;
  const insert = db.query(`INSERT INTO events (${COLS}) VALUES (?, ?, ?, ?, ?, ?)`);
  let wrote = false;
  let tracked: string | undefined;
  for (const item of items) {
    if (item.idempotencyKey !== undefined) {
      const prior = findByIdem(db, item.idempotencyKey);
      if (prior) {
        out.push(prior);
        continue;
      }
    }
    const seq = lastSeq + 1;
    insert.run(sessionKey, seq, now, item.data.type, JSON.stringify(item.data), item.idempotencyKey ?? null);
    tracked = trackRun(db, sessionKey, item.data, now, tracked);
    lastSeq = seq;
    wrote = true;
    const e: StoredEvent = { sessionKey, seq, ts: now, type: item.data.type, data: item.data };
    if (item.idempotencyKey !== undefined) e.idempotencyKey = item.idempotencyKey;
    out.push(e); // `data` is the fresh object zod produced and the row is already serialized: no copy needed
  }
  if (wrote) db.query("UPDATE sessions SET last_seq = ?, updated_at = ? WHERE key = ?").run(lastSeq, now, sessionKey);
  return out;
}

/**
 * Items without idempotency keys all get new rows: the session row is advanced first (one UPDATE …
 * RETURNING instead of a SELECT and an UPDATE) and the seqs are the range it reserved.
 */
function appendFresh(db: Database, sessionKey: string, items: { data: StoredEventData }[], now: number, session?: Omit<SessionInput, "key">): StoredEvent[] {
  const advance = db.query<{ last_seq: number }, [number, number, string]>(
    "UPDATE sessions SET last_seq = last_seq + ?, updated_at = ? WHERE key = ? RETURNING last_seq",
  );
  let row = advance.get(items.length, now, sessionKey);
  if (!row) {
    ensureSessionRow(db, { ...session, key: sessionKey }, now);
    row = advance.get(items.length, now, sessionKey)!;
  }
  const insert = db.query(`INSERT INTO events (${COLS}) VALUES (?, ?, ?, ?, ?, ?)`);
  const out: StoredEvent[] = new Array(items.length);
  let seq = row.last_seq - items.length;
  let tracked: string | undefined;
  for (let i = 0; i < items.length; i++) {
    const data = items[i]!.data;
    insert.run(sessionKey, ++seq, now, data.type, JSON.stringify(data), null);
    tracked = trackRun(db, sessionKey, data, now, tracked);
    out[i] = { sessionKey, seq, ts: now, type: data.type, data };
  }
  return out;
}

/** Keeps the runs table in step; returns the run id just marked started (its next start event in the same append is a no-op). */
function trackRun(db: Database, sessionKey: string, data: StoredEventData, now: number, tracked: string | undefined): string | undefined {
  if (data.type === "user_message" || data.type === "run_started") {
    if (tracked !== data.runId) {
      db.query("INSERT INTO runs (session_key, run_id, started_at, finished) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING").run(sessionKey, data.runId, now);
    }
    return data.runId;
  }
  // (rows with finished = 1 were written by older builds; deleting them here is the same answer)
  if (data.type === "run_finished") db.query("DELETE FROM runs WHERE session_key = ? AND run_id = ?").run(sessionKey, data.runId);
  return tracked;
}

export function readRangeRows(db: Database, sessionKey: string, fromSeq: number, toSeq?: number, limit?: number): StoredEvent[] {
  const rows = db
    .query<EventRow, [string, number, number, number]>(
      `SELECT ${COLS} FROM events WHERE session_key = ? AND seq >= ? AND seq <= ? ORDER BY seq LIMIT ?`,
    )
    .all(sessionKey, fromSeq, toSeq ?? Number.MAX_SAFE_INTEGER, limit === undefined ? -1 : Math.max(0, limit));
  return rows.map(toEvent);
}

export function readLatestRows(db: Database, sessionKey: string, n: number): StoredEvent[] {
  if (n <= 0) return [];
  const rows = db
    .query<EventRow, [string, number]>(`SELECT ${COLS} FROM events WHERE session_key = ? ORDER BY seq DESC LIMIT ?`)
    .all(sessionKey, n);
  return rows.reverse().map(toEvent);
}

/** Every event of a session, ascending, in pages (so a huge session is not one giant statement). */
export function* iterateEvents(db: Database, sessionKey: string, pageSize = 1000): Generator<StoredEvent> {
  let from = 1;
  for (;;) {
    const page = readRangeRows(db, sessionKey, from, undefined, pageSize);
    yield* page;
    if (page.length < pageSize) return;
    from = page[page.length - 1]!.seq + 1;
  }
}

export function unfinishedRunRows(db: Database): UnfinishedRun[] {
  return db
    .query<{ session_key: string; run_id: string; started_at: number }, []>(
      "SELECT session_key, run_id, started_at FROM runs WHERE finished = 0 ORDER BY started_at",
    )
    .all()
    .map((r) => ({ sessionKey: r.session_key, runId: r.run_id, startedAt: r.started_at }));
}
