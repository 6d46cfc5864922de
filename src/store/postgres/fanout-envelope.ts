/**
 * The fan-out's wire format on a PostgreSQL NOTIFY channel. A payload is one JSON envelope:
 * `{"o":origin,"n":counter,"s":sessionKey,"e":event}` inline, or `{"o","n","s","r":outboxId}` when
 * the inline envelope would not fit under NOTIFY's payload limit (8000 bytes by default; measured
 * in UTF-8 bytes, not string length). `n` counts every event an origin published, so a receiver
 * sees a gap when it missed some, and no two payloads of one batch are identical (PostgreSQL
 * folds identical payloads of one transaction into one).
 */
import { z } from "zod";
import type { FanoutEvent } from "../fanout.ts";

/** Below PostgreSQL's 8000-byte payload limit, with room to spare. */
export const MAX_NOTIFY_BYTES = 7900;

/** An envelope as it crosses the channel: inline (`e`) or a reference into the outbox (`r`). */
const Base = { o: z.string().min(1).max(200), n: z.number().int().min(1), s: z.string().min(1) };
export const EnvelopeSchema = z.union([
  z.object({ ...Base, r: z.string().regex(/^\d{1,20}$/) }),
  z.object({ ...Base, e: z.looseObject({ sessionKey: z.string() }) }),
]);
export type Envelope = { o: string; n: number; s: string } & ({ e: FanoutEvent } | { r: string });

/** The channel for one schema: NOTIFY is per database, so the schema keeps installations apart. At most 63 bytes. */
export function channelFor(schema: string): string {
  const name = `openclaw_fanout_${schema}`;
  if (name.length <= 63) return name;
  const hash = new Bun.CryptoHasher("sha256").update(schema).digest("hex").slice(0, 12);
  return `openclaw_fanout_${schema.slice(0, 63 - 17 - 13)}_${hash}`;
}

export const utf8Bytes = (text: string): number => Buffer.byteLength(text, "utf8");

export function inlineEnvelope(origin: string, n: number, eventJson: string, sessionKey: string): string {
  return `{"o":${JSON.stringify(origin)},"n":${n},"s":${JSON.stringify(sessionKey)},"e":${eventJson}}`;
}

export function refEnvelope(origin: string, n: number, sessionKey: string, id: string): string {
  return JSON.stringify({ o: origin, n, s: sessionKey, r: id });
}

/** A payload from the channel, or null when it is not one of ours (anything may NOTIFY a channel). */
export function parseEnvelope(payload: string): Envelope | null {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return null;
  }
  const r = EnvelopeSchema.safeParse(v);
  if (!r.success) return null;
  if ("e" in r.data && r.data.e.sessionKey !== r.data.s) return null; // an event must name the envelope's session
  return r.data as Envelope;
}
