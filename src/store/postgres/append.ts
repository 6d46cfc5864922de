/**
 * The append transactions of PgStore (store.ts runs them through the group committer). Each takes
 * the session row lock first, so appends of one session from every node are ordered by the database
 * and a rolled-back append consumes no seq (gap-free).
 *
 * - `appendPlain` (no idempotency key, nothing to look up): the UPDATE that takes the lock also
 *   reserves the seqs, one multi-row INSERT writes the events, then the runs rows — three statements
 *   for the common append; the session is created only when the UPDATE finds none.
 * - `appendChecked` (some item carries an idempotency key): lock, then per item either the event
 *   stored under that key before (returned as is) or a new one.
 */
import type { StoredEvent, StoredEventData } from "../../core/events.ts";
import { agentIdFromKey } from "../common.ts";
import type { AppendInput, AppendOptions, SessionInput } from "../types.ts";
import { EVENT_COLS, SESSION_COLS, toEvent, type Row } from "./rows.ts";
import type { SQL } from "bun";

type Q = SQL;

export interface AppendAt {
  sessionKey: string;
  /** what a session created by this append starts with */
  session: AppendOptions["session"];
  /** recorded in runs.node_id (store/cluster.ts) */
  nodeId: string | null;
}

export async function insertSessionIfMissing(q: Q, input: SessionInput, now: number): Promise<void> {
  await q.unsafe(
    `INSERT INTO sessions (${SESSION_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $6, 0) ON CONFLICT (key) DO NOTHING`,
    [input.key, input.agentId ?? agentIdFromKey(input.key), input.channel ?? null, input.peer ?? null, input.title ?? null, now],
  );
}

export async function appendPlain(q: Q, at: AppendAt, items: AppendInput[], now: number): Promise<StoredEvent[]> {
  const { sessionKey } = at;
  const n = items.length;
  const reserve = () =>
    q.unsafe("UPDATE sessions SET last_seq = last_seq + $2, updated_at = $3 WHERE key = $1 RETURNING last_seq", [sessionKey, n, now]) as Promise<Row[]>;
  let [row] = await reserve();
  if (!row) {
    await insertSessionIfMissing(q, { ...at.session, key: sessionKey }, now);
    [row] = await reserve();
  }
  const first = Number(row!.last_seq) - n + 1;
  const out: StoredEvent[] = items.map((item, i) => ({ sessionKey, seq: first + i, ts: now, type: item.data.type, data: item.data }));
  await q.unsafe(
    `INSERT INTO events (${EVENT_COLS}) SELECT $1, s, $2, t, d, NULL FROM unnest($3::bigint[], $4::text[], $5::text[]) AS u(s, t, d)`,
    [sessionKey, now, out.map((e) => e.seq), out.map((e) => e.type), items.map((item) => JSON.stringify(item.data))],
  );
  let tracked: string | undefined;
  for (const e of out) tracked = await trackRun(q, at, e.data, now, tracked, e.seq);
  return out;
}

export async function appendChecked(q: Q, at: AppendAt, items: AppendInput[], now: number): Promise<StoredEvent[]> {
  const { sessionKey } = at;
  await insertSessionIfMissing(q, { ...at.session, key: sessionKey }, now);
  const [locked] = (await q.unsafe("SELECT last_seq FROM sessions WHERE key = $1 FOR UPDATE", [sessionKey])) as Row[];
  let lastSeq = Number(locked!.last_seq);
  const out: StoredEvent[] = [];
  let tracked: string | undefined;
  for (const item of items) {
    if (item.idempotencyKey !== undefined) {
      const [prior] = (await q.unsafe(`SELECT ${EVENT_COLS} FROM events WHERE idempotency_key = $1`, [item.idempotencyKey])) as Row[];
      if (prior) {
        out.push(toEvent(prior));
        continue;
      }
    }
    const seq = ++lastSeq;
    await q.unsafe(`INSERT INTO events (${EVENT_COLS}) VALUES ($1, $2, $3, $4, $5, $6)`, [
      sessionKey, seq, now, item.data.type, JSON.stringify(item.data), item.idempotencyKey ?? null,
    ]);
    tracked = await trackRun(q, at, item.data, now, tracked, seq);
    const e: StoredEvent = { sessionKey, seq, ts: now, type: item.data.type, data: item.data };
    if (item.idempotencyKey !== undefined) e.idempotencyKey = item.idempotencyKey;
    out.push(e);
  }
  if (lastSeq !== Number(locked!.last_seq)) {
    await q.unsafe("UPDATE sessions SET last_seq = $1, updated_at = $2 WHERE key = $3", [lastSeq, now, sessionKey]);
  }
  return out;
}

// runs.user_seq (the seq of the run's first event) orders a session's runs cluster-wide; node_id says who runs it
async function trackRun(q: Q, at: AppendAt, data: StoredEventData, now: number, tracked: string | undefined, seq: number): Promise<string | undefined> {
  if (data.type === "user_message" || data.type === "run_started") {
    if (tracked !== data.runId) {
      await q.unsafe(
        "INSERT INTO runs (session_key, run_id, started_at, node_id, user_seq) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        [at.sessionKey, data.runId, now, at.nodeId, seq],
      );
    }
    return data.runId;
  }
  if (data.type === "run_finished") await q.unsafe("DELETE FROM runs WHERE session_key = $1 AND run_id = $2", [at.sessionKey, data.runId]);
  return tracked;
}
