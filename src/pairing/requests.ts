/**
 * The pairing domain: an unknown sender on a channel gets a short code; the owner approves it with
 * `openclaw pairing approve telegram <CODE>` (or the `pairing.approve` RPC). Plain functions over
 * the store, shared by the channels (Telegram's DM gate), the CLI and the gateway's RPC methods, so
 * none of them imports another's code for it.
 *
 * Rules: a code is 8 characters from an alphabet without look-alikes, valid for 1 hour; at most 3
 * pending (unexpired) requests per channel; a sender who already has a pending code gets the same
 * code again; a denied sender gets no new code (add them to `allowFrom` to let them in later).
 */
import { randomInt } from "node:crypto";
import { NotFoundError } from "../core/errors.ts";
import type { PairingRecord, PairingStatus, SessionStore } from "../store/types.ts";

export const PAIRING_TTL_MS = 60 * 60 * 1000;
export const MAX_PENDING = 3;
/** Channels that issue pairing codes (the CLI checks its argument against this list). */
export const PAIRING_CHANNELS: readonly string[] = ["telegram"];
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

export type PairingRequestResult =
  | { status: "created" | "existing"; code: string; expiresAt: number }
  | { status: "approved" | "denied" | "limited" };

export interface PairingView extends PairingRecord {
  expired: boolean;
}

export function newPairingCode(): string {
  let out = "";
  for (let i = 0; i < 8; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export function normalizeCode(code: string): string {
  return code.trim().toUpperCase().replace(/[\s-]/g, "");
}

const live = (r: PairingRecord, now: number) => r.status === "pending" && r.expiresAt > now;

export async function requestPairing(
  store: SessionStore,
  channel: string,
  peerId: string,
  meta: Record<string, unknown> = {},
  now = Date.now(),
): Promise<PairingRequestResult> {
  const existing = await store.pairingGet(channel, peerId);
  if (existing?.status === "approved" || existing?.status === "denied") return { status: existing.status };
  if (existing && live(existing, now)) return { status: "existing", code: existing.code, expiresAt: existing.expiresAt };
  const pending = (await store.pairingList(channel, "pending")).filter((r) => live(r, now));
  if (pending.length >= MAX_PENDING) return { status: "limited" };
  const taken = new Set(pending.map((r) => r.code));
  let code = newPairingCode();
  while (taken.has(code)) code = newPairingCode();
  const record: PairingRecord = { channel, peerId, code, status: "pending", createdAt: now, expiresAt: now + PAIRING_TTL_MS, meta };
  await store.pairingUpsert(record);
  return { status: "created", code, expiresAt: record.expiresAt };
}

export async function isPaired(store: SessionStore, channel: string, peerId: string): Promise<boolean> {
  return (await store.pairingGet(channel, peerId))?.status === "approved";
}

/** Requests of a channel (or all channels). Default: pending and unexpired only. */
export async function listPairings(
  store: SessionStore,
  channel?: string,
  opts: { status?: PairingStatus; all?: boolean; now?: number } = {},
): Promise<PairingView[]> {
  const now = opts.now ?? Date.now();
  const rows = await store.pairingList(channel, opts.all ? opts.status : (opts.status ?? "pending"));
  return rows
    .map((r) => ({ ...r, expired: r.status === "pending" && r.expiresAt <= now }))
    .filter((r) => opts.all || !r.expired);
}

async function decide(store: SessionStore, channel: string, code: string, status: "approved" | "denied", now: number): Promise<PairingRecord> {
  const record = await store.pairingByCode(channel, normalizeCode(code));
  if (!record || !live(record, now)) {
    throw new NotFoundError(`no pending ${channel} pairing request with code ${normalizeCode(code)} (codes expire after 1 hour; list them with \`openclaw pairing list ${channel}\`)`);
  }
  const updated: PairingRecord = { ...record, status, meta: { ...record.meta, decidedAt: now } };
  await store.pairingUpsert(updated);
  return updated;
}

export function approvePairing(store: SessionStore, channel: string, code: string, now = Date.now()): Promise<PairingRecord> {
  return decide(store, channel, code, "approved", now);
}

export function denyPairing(store: SessionStore, channel: string, code: string, now = Date.now()): Promise<PairingRecord> {
  return decide(store, channel, code, "denied", now);
}
