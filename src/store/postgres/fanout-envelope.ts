/**
 * The fan-out's wire format on a PostgreSQL NOTIFY channel. A payload is one JSON envelope:
 * `{"o":origin,"n":counter,"s":sessionKey,"e":event}` inline, or `{"o","n","s","r":outboxId}` when
 * the inline envelope would not fit under NOTIFY's payload limit (8000 bytes by default; measured
 * in UTF-8 bytes, not string length). `n` counts every event an origin published, so a receiver
 * sees a gap when it missed some, and no two payloads of one batch are identical (PostgreSQL
 * folds identical payloads of one transaction into one).
 */
import type { FanoutEvent } from "../fanout.ts";

/** Below PostgreSQL's 8000-byte payload limit, with room to spare. */
export const MAX_NOTIFY_BYTES = 7900;

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
  if (!v || typeof v !== "object") return null;
  const o = v as Record<string, unknown>;
  if (typeof o.o !== "string" || typeof o.n !== "number" || typeof o.s !== "string") return null;
  if (typeof o.r === "string" && /^\d{1,20}$/.test(o.r)) return { o: o.o, n: o.n, s: o.s, r: o.r };
  const e = o.e as Record<string, unknown> | undefined;
  if (e && typeof e === "object" && e.sessionKey === o.s) return { o: o.o, n: o.n, s: o.s, e: e as FanoutEvent };
  return null;
}
