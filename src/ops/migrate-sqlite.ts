/**
 * OpenClaw's per-agent store, `agents/<id>/agent/openclaw-agent.sqlite` (OpenClaw 2026.9):
 *   session_nodes (session_key, current_session_id, entry_json, label, display_name, …)
 *   session_windows (session_id, session_key, created_at, updated_at, channel, display_name, …):
 *     one row per session id a key has had (a reset starts a new window)
 *   transcript_events (session_id, seq, event_json | event_zstd, created_at): the pi SessionManager
 *     entries, one per row, seq 0 being the `{"type":"session"}` header
 * and the state store `state/openclaw.sqlite` with the Telegram pairing tables
 * (channel_pairing_requests, channel_pairing_allow_entries).
 *
 * The source is never opened in place: SQLite may create `-shm`/`-wal` files beside a database it
 * opens, even read-only, so the file (and its `-wal`, which may hold the latest commits) is copied
 * to a temporary directory and read there.
 */
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { activeBranch, type SourceEntry } from "./migrate-transcript.ts";
import { parseTime, routeOf } from "./migrate-jsonl.ts";
import type { PairingImport, SourceSession } from "./migrate-types.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Runs `fn` on a private copy of the database at `path` (read-only use); the copy is removed after. */
export function withSourceCopy<T>(path: string, fn: (db: Database) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-migrate-"));
  try {
    const copy = join(dir, "source.sqlite");
    copyFileSync(path, copy);
    if (existsSync(path + "-wal")) copyFileSync(path + "-wal", copy + "-wal");
    const db = new Database(copy);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseObj(text: string): Obj {
  try {
    const v: unknown = JSON.parse(text);
    return isObj(v) ? v : {};
  } catch {
    return {};
  }
}

const hasTable = (db: Database, name: string) => db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== null;

function eventText(row: { event_json: string | null; event_zstd: Uint8Array | null }): string | null {
  if (row.event_json !== null) return row.event_json;
  if (row.event_zstd === null) return null;
  return new TextDecoder().decode(Bun.zstdDecompressSync(row.event_zstd));
}

function entriesOf(db: Database, sessionId: string): { entries: SourceEntry[]; bad: number } {
  const rows = db
    .query<{ seq: number; event_json: string | null; event_zstd: Uint8Array | null; created_at: number }, [string]>(
      "SELECT seq, event_json, event_zstd, created_at FROM transcript_events WHERE session_id = ? ORDER BY seq",
    )
    .all(sessionId);
  type Row = Obj & { id: string; parentId?: unknown; created_at: number };
  const parsed: Row[] = [];
  let bad = 0;
  for (const r of rows) {
    try {
      const v: unknown = JSON.parse(eventText(r) ?? "null");
      if (!isObj(v)) throw new Error("not an object");
      if (v.type !== "session") parsed.push({ ...v, id: typeof v.id === "string" ? v.id : `seq${r.seq}`, created_at: r.created_at });
    } catch {
      bad++;
    }
  }
  const entries = activeBranch<Row>(parsed).map((v): SourceEntry => {
    const msg = isObj(v.message) ? v.message : undefined;
    const ts = parseTime(v.timestamp) ?? v.created_at;
    return {
      id: String(v.id), type: String(v.type), ts,
      ...(msg ? { message: msg } : {}),
      ...(typeof v.summary === "string" ? { summary: v.summary } : {}),
      ...(typeof v.tokensBefore === "number" ? { tokensBefore: v.tokensBefore } : {}),
      ...(typeof v.firstKeptEntryId === "string" ? { firstKeptEntryId: v.firstKeptEntryId } : {}),
    };
  });
  return { entries, bad };
}

/**
 * The sessions in one agent database. Every window (session id) of a key is read, oldest first;
 * a later window follows a `session_reset` marker, as a reset does here.
 */
export function readSqliteSessions(agentId: string, path: string): SourceSession[] {
  return withSourceCopy(path, (db) => {
    if (!hasTable(db, "session_windows") || !hasTable(db, "transcript_events")) throw new Error("no session_windows/transcript_events tables (not an OpenClaw agent database, or a version this import does not know)");
    const nodes = hasTable(db, "session_nodes")
      ? db.query<{ session_key: string; display_name: string | null; label: string | null; entry_json: string }, []>("SELECT session_key, display_name, label, entry_json FROM session_nodes").all()
      : [];
    const titles = new Map(nodes.map((n) => [n.session_key, n.display_name ?? n.label]));
    const routes = new Map(nodes.map((n) => [n.session_key, routeOf(parseObj(n.entry_json))]));
    const windows = db
      .query<{ session_id: string; session_key: string; updated_at: number; channel: string | null; display_name: string | null }, []>(
        "SELECT session_id, session_key, updated_at, channel, display_name FROM session_windows ORDER BY session_key, created_at, session_id",
      )
      .all();
    const byKey = new Map<string, typeof windows>();
    for (const w of windows) byKey.set(w.session_key, [...(byKey.get(w.session_key) ?? []), w]);
    const out: SourceSession[] = [];
    for (const [key, list] of byKey) {
      const loaded = list.map((w) => ({ w, ...entriesOf(db, w.session_id) }));
      const entries: SourceEntry[] = [];
      let bad = 0;
      loaded.forEach((l, i) => {
        if (i > 0 && l.entries.length > 0) entries.push({ id: `${l.w.session_id}:reset`, type: "session_reset", ts: l.entries[0]!.ts ?? l.w.updated_at });
        entries.push(...l.entries.map((e) => ({ ...e, id: `${l.w.session_id}:${e.id}`, ...(e.firstKeptEntryId ? { firstKeptEntryId: `${l.w.session_id}:${e.firstKeptEntryId}` } : {}) })));
        bad += l.bad;
      });
      const last = list[list.length - 1]!;
      out.push({
        agentId, key, sessionId: last.session_id, source: path,
        channel: list.map((w) => w.channel).find((c) => c && c !== "webchat") ?? routes.get(key)?.channel ?? null,
        peer: routes.get(key)?.peer ?? null,
        title: titles.get(key) ?? last.display_name ?? routes.get(key)?.title ?? null,
        updatedAt: last.updated_at,
        load: () => ({ entries, bad }),
      });
    }
    return out;
  });
}

/** Telegram pairing state in `state/openclaw.sqlite` (default account only). */
export function readSqlitePairing(path: string): PairingImport[] {
  return withSourceCopy(path, (db) => {
    const out: PairingImport[] = [];
    if (hasTable(db, "channel_pairing_allow_entries")) {
      const rows = db.query<{ entry: string; updated_at: number }, []>("SELECT entry, updated_at FROM channel_pairing_allow_entries WHERE channel_key = 'telegram' AND account_id = 'default' ORDER BY sort_order").all();
      for (const r of rows) out.push({ channel: "telegram", peerId: r.entry, status: "approved", code: "", createdAt: r.updated_at, meta: { importedFrom: "openclaw" } });
    }
    if (hasTable(db, "channel_pairing_requests")) {
      const rows = db.query<{ request_id: string; code: string; created_at: string; meta_json: string | null }, []>("SELECT request_id, code, created_at, meta_json FROM channel_pairing_requests WHERE channel_key = 'telegram' AND account_id = 'default'").all();
      for (const r of rows) {
        let meta: unknown = {};
        try {
          meta = r.meta_json ? JSON.parse(r.meta_json) : {};
        } catch {
          meta = {};
        }
        out.push({ channel: "telegram", peerId: r.request_id, status: "pending", code: r.code, createdAt: parseTime(r.created_at) ?? 0, meta: { ...(isObj(meta) ? meta : {}), importedFrom: "openclaw" } });
      }
    }
    return out;
  });
}
