/** Session rows: mapping and queries (synchronous; called inside the store's transactions or for reads). */
import type { Database } from "bun:sqlite";
import { agentIdFromKey, clampLimit, decodeCursor, encodeCursor } from "./common.ts";
import type { Page, SessionInput, SessionListOptions, SessionRecord } from "./types.ts";

interface SessionRow {
  key: string;
  agent_id: string;
  channel: string | null;
  peer: string | null;
  title: string | null;
  created_at: number;
  updated_at: number;
  last_seq: number;
}

const COLS = "key, agent_id, channel, peer, title, created_at, updated_at, last_seq";

export function toSession(r: SessionRow): SessionRecord {
  return {
    key: r.key, agentId: r.agent_id, channel: r.channel, peer: r.peer, title: r.title,
    createdAt: r.created_at, updatedAt: r.updated_at, lastSeq: r.last_seq,
  };
}

export function getSessionRow(db: Database, key: string): SessionRecord | null {
  const r = db.query<SessionRow, [string]>(`SELECT ${COLS} FROM sessions WHERE key = ?`).get(key);
  return r ? toSession(r) : null;
}

export function countSessionRows(db: Database): number {
  return db.query<{ n: number }, []>("SELECT count(*) AS n FROM sessions").get()!.n;
}

/** Inserts the session if it is missing (an existing one is left alone) and returns it. */
export function ensureSessionRow(db: Database, input: SessionInput, now: number): SessionRecord {
  db.query(
    `INSERT INTO sessions (key, agent_id, channel, peer, title, created_at, updated_at, last_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (key) DO NOTHING`,
  ).run(input.key, input.agentId ?? agentIdFromKey(input.key), input.channel ?? null, input.peer ?? null, input.title ?? null, now, now);
  return getSessionRow(db, input.key)!;
}

/** `%text%` for LIKE with its wildcards escaped (`\` is the escape character). */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => "\\" + c)}%`;
}

export function listSessionRows(db: Database, opts: SessionListOptions): Page<SessionRecord> {
  const limit = clampLimit(opts.limit, 50, 1000);
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (opts.agentId !== undefined) {
    where.push("agent_id = ?");
    args.push(opts.agentId);
  }
  if (opts.channel !== undefined) {
    where.push("channel = ?");
    args.push(opts.channel);
  }
  if (opts.query) {
    // LIKE is case-insensitive for ASCII; NULL columns simply do not match
    where.push("(" + ["key", "channel", "peer", "title"].map((c) => `${c} LIKE ? ESCAPE '\\'`).join(" OR ") + ")");
    const pattern = likePattern(opts.query);
    args.push(pattern, pattern, pattern, pattern);
  }
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor);
    where.push("(updated_at < ? OR (updated_at = ? AND key < ?))");
    args.push(c.updatedAt, c.updatedAt, c.key);
  }
  const sql = `SELECT ${COLS} FROM sessions ${where.length ? "WHERE " + where.join(" AND ") : ""}
               ORDER BY updated_at DESC, key DESC LIMIT ?`;
  const rows = db.query<SessionRow, (string | number)[]>(sql).all(...args, limit + 1);
  const items = rows.slice(0, limit).map(toSession);
  const last = items[items.length - 1];
  return rows.length > limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
}

export function setTitleRow(db: Database, key: string, title: string, now: number): void {
  ensureSessionRow(db, { key }, now);
  db.query("UPDATE sessions SET title = ?, updated_at = ? WHERE key = ?").run(title, now, key);
}

export function deleteSessionRows(db: Database, key: string): boolean {
  const r = db.query("DELETE FROM sessions WHERE key = ?").run(key);
  if (r.changes === 0) return false;
  db.query("DELETE FROM events WHERE session_key = ?").run(key);
  db.query("DELETE FROM runs WHERE session_key = ?").run(key);
  return true;
}

/** Answered from the partial index `events_messages` (migration 003), whose WHERE clause this repeats exactly. */
export const MESSAGE_COUNT_SQL = "SELECT count(*) AS n FROM events WHERE session_key = ? AND type IN ('user_message', 'assistant_message')";

export function messageCountRows(db: Database, keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  const q = db.query<{ n: number }, [string]>(MESSAGE_COUNT_SQL);
  for (const k of keys) out[k] = q.get(k)!.n;
  return out;
}
