/** PostgreSQL rows of the store's tables → our records, and the column lists they come from. */
import type { StoredEvent, StoredEventData } from "../../core/events.ts";
import type { PairingRecord, PairingStatus, SessionRecord } from "../types.ts";

export type Row = Record<string, unknown>;

export const SESSION_COLS = "key, agent_id, channel, peer, title, created_at, updated_at, last_seq";
export const EVENT_COLS = "session_key, seq, ts, type, data, idempotency_key";
export const PAIR_COLS = "channel, peer_id, code, status, created_at, expires_at, meta";
export const MESSAGE_TYPES = "('user_message', 'assistant_message')";

export const toSession = (r: Row): SessionRecord => ({
  key: r.key as string, agentId: r.agent_id as string, channel: (r.channel as string | null) ?? null, peer: (r.peer as string | null) ?? null,
  title: (r.title as string | null) ?? null, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at), lastSeq: Number(r.last_seq),
});

export function toEvent(r: Row): StoredEvent {
  const data = JSON.parse(r.data as string) as StoredEventData;
  const e: StoredEvent = { sessionKey: r.session_key as string, seq: Number(r.seq), ts: Number(r.ts), type: data.type, data };
  if (r.idempotency_key !== null && r.idempotency_key !== undefined) e.idempotencyKey = r.idempotency_key as string;
  return e;
}

export const toPairing = (r: Row): PairingRecord => ({
  channel: r.channel as string, peerId: r.peer_id as string, code: r.code as string, status: r.status as PairingStatus,
  createdAt: Number(r.created_at), expiresAt: Number(r.expires_at), meta: JSON.parse(r.meta as string) as Record<string, unknown>,
});

export const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => "\\" + c)}%`;
