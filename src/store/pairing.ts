/** Pairing requests and small key/value state (the inbox is inbox.ts). */
import type { Database } from "bun:sqlite";
import type { PairingRecord, PairingStatus } from "./types.ts";

interface PairingRow {
  channel: string;
  peer_id: string;
  code: string;
  status: string;
  created_at: number;
  expires_at: number;
  meta: string;
}
const COLS = "channel, peer_id, code, status, created_at, expires_at, meta";

const toPairing = (r: PairingRow): PairingRecord => ({
  channel: r.channel, peerId: r.peer_id, code: r.code, status: r.status as PairingStatus,
  createdAt: r.created_at, expiresAt: r.expires_at, meta: JSON.parse(r.meta) as Record<string, unknown>,
});

export function pairingUpsertRow(db: Database, p: PairingRecord): void {
  db.query(
    `INSERT INTO pairing (${COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (channel, peer_id) DO UPDATE SET code = excluded.code, status = excluded.status,
       created_at = excluded.created_at, expires_at = excluded.expires_at, meta = excluded.meta`,
  ).run(p.channel, p.peerId, p.code, p.status, p.createdAt, p.expiresAt, JSON.stringify(p.meta ?? {}));
}

export function pairingListRows(db: Database, channel?: string, status?: PairingStatus): PairingRecord[] {
  return db
    .query<PairingRow, [string | null, string | null]>(
      `SELECT ${COLS} FROM pairing WHERE (?1 IS NULL OR channel = ?1) AND (?2 IS NULL OR status = ?2) ORDER BY created_at, peer_id`,
    )
    .all(channel ?? null, status ?? null)
    .map(toPairing);
}

export function pairingGetRow(db: Database, channel: string, peerId: string): PairingRecord | null {
  const r = db.query<PairingRow, [string, string]>(`SELECT ${COLS} FROM pairing WHERE channel = ? AND peer_id = ?`).get(channel, peerId);
  return r ? toPairing(r) : null;
}

export function pairingByCodeRow(db: Database, channel: string, code: string): PairingRecord | null {
  const r = db.query<PairingRow, [string, string]>(`SELECT ${COLS} FROM pairing WHERE channel = ? AND code = ? LIMIT 1`).get(channel, code);
  return r ? toPairing(r) : null;
}

export function kvGetRow(db: Database, namespace: string, key: string): unknown {
  const r = db.query<{ value: string }, [string, string]>("SELECT value FROM kv WHERE namespace = ? AND key = ?").get(namespace, key);
  return r ? (JSON.parse(r.value) as unknown) : undefined;
}

export function kvSetRow(db: Database, namespace: string, key: string, value: unknown): void {
  if (value === undefined) {
    db.query("DELETE FROM kv WHERE namespace = ? AND key = ?").run(namespace, key);
    return;
  }
  db.query("INSERT INTO kv (namespace, key, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value").run(
    namespace, key, JSON.stringify(value),
  );
}
