/**
 * Inbox rows (channel update de-duplication and the durable inbox) on SQLite: put, done, pending,
 * the prune of processed rows (retention policy in common.ts) and the rows a session owns.
 * Synchronous; called inside the store's write transactions or for reads.
 */
import type { Database } from "bun:sqlite";
import type { InboxRetention } from "./types.ts";

export function inboxPutRow(db: Database, channel: string, updateId: string, payload: unknown, now: number): boolean {
  const r = db
    .query("INSERT INTO inbox (channel, update_id, payload, done, created_at) VALUES (?, ?, ?, 0, ?) ON CONFLICT DO NOTHING")
    .run(channel, updateId, JSON.stringify(payload ?? null), now);
  return r.changes > 0;
}

export function inboxDoneRow(db: Database, channel: string, updateId: string, now: number): void {
  db.query("UPDATE inbox SET done = 1, done_at = ? WHERE channel = ? AND update_id = ? AND done = 0").run(now, channel, updateId);
}

export function inboxPendingRows(db: Database, channel: string): { updateId: string; payload: unknown }[] {
  return db
    .query<{ update_id: string; payload: string }, [string]>(
      "SELECT update_id, payload FROM inbox WHERE channel = ? AND done = 0 ORDER BY created_at, rowid",
    )
    .all(channel)
    .map((r) => ({ updateId: r.update_id, payload: JSON.parse(r.payload) as unknown }));
}

/**
 * Deletes processed rows of `channel` older than `keepDoneMs`, keeping the newest `keepDoneMin`
 * processed rows whatever their age (pending rows are never pruned). Returns the rows deleted.
 */
export function inboxPruneRows(db: Database, channel: string, now: number, policy: InboxRetention): number {
  let cutoff = now - policy.keepDoneMs;
  if (policy.keepDoneMin > 0) {
    // the done_at of the oldest row the "newest keepDoneMin" rule keeps; fewer rows than that: nothing to prune
    const floor = db
      .query<{ done_at: number }, [string, number]>("SELECT done_at FROM inbox WHERE channel = ? AND done = 1 ORDER BY done_at DESC LIMIT 1 OFFSET ?")
      .get(channel, policy.keepDoneMin - 1);
    if (!floor) return 0;
    cutoff = Math.min(cutoff, floor.done_at);
  }
  return db.query("DELETE FROM inbox WHERE channel = ? AND done = 1 AND done_at < ?").run(channel, cutoff).changes;
}

/**
 * The channel rows keyed to a session: the inbox row of every update whose run's user message
 * carries `origin: { channel, updateId }`, and that update's `<channel>.delivery` kv entry.
 */
export function deleteSessionChannelRows(db: Database, sessionKey: string): void {
  const rows = db
    .query<{ channel: string; update_id: string }, [string]>(
      `SELECT DISTINCT json_extract(data, '$.origin.channel') AS channel, CAST(json_extract(data, '$.origin.updateId') AS TEXT) AS update_id
       FROM events WHERE session_key = ? AND type = 'user_message'
         AND json_type(data, '$.origin.channel') = 'text' AND json_extract(data, '$.origin.updateId') IS NOT NULL`,
    )
    .all(sessionKey);
  const inbox = db.query("DELETE FROM inbox WHERE channel = ? AND update_id = ?");
  const kv = db.query("DELETE FROM kv WHERE namespace = ? AND key = ?");
  for (const r of rows) {
    inbox.run(r.channel, r.update_id);
    kv.run(`${r.channel}.delivery`, r.update_id);
  }
}
