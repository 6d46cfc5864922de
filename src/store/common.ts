/**
 * Pieces shared by every SessionStore implementation (memory, SQLite): input validation, the
 * session-list cursor, the JSONL export format. No runtime-specific imports (works under plain Node).
 */
import { StoredEventDataSchema, type StoredEvent, type StoredEventData } from "../core/events.ts";
import { InvalidParamsError } from "../core/errors.ts";
import type { AppendInput, InboxRetention, SessionRecord } from "./types.ts";

export const DEFAULT_INBOX_RETENTION: InboxRetention = { keepDoneMs: 48 * 3600_000, keepDoneMin: 1000 };
/** `inboxDone` prunes its channel after this many processed rows (a prune per row would cost a scan each) */
export const PRUNE_EVERY = 64;

export function inboxRetention(o: Partial<InboxRetention> | undefined): InboxRetention {
  const r = { ...DEFAULT_INBOX_RETENTION, ...o };
  return { keepDoneMs: Math.max(0, r.keepDoneMs), keepDoneMin: Math.max(0, Math.floor(r.keepDoneMin)) };
}

/** Validates an append payload; returns the parsed data (defaults filled) or throws InvalidParamsError. */
export function validateAppend(input: AppendInput): { data: StoredEventData; idempotencyKey?: string } {
  if (!input || typeof input !== "object") throw new InvalidParamsError("append needs { data, idempotencyKey? }");
  const parsed = StoredEventDataSchema.safeParse(input.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : "data";
    throw new InvalidParamsError(`invalid event payload at ${where}: ${issue?.message ?? "invalid"}`);
  }
  const key = input.idempotencyKey;
  if (key !== undefined && (typeof key !== "string" || key.length === 0 || key.length > 512)) {
    throw new InvalidParamsError("idempotencyKey must be a non-empty string of at most 512 characters");
  }
  return key === undefined ? { data: parsed.data } : { data: parsed.data, idempotencyKey: key };
}

/**
 * The trusted path (`{ trusted: true }`): the payload is typed `StoredEventData` built by the
 * runtime, so only the shape the store itself relies on is checked (no schema walk, no copy).
 */
export function checkTrustedAppend(input: AppendInput): { data: StoredEventData; idempotencyKey?: string } {
  if (!input || typeof input !== "object" || !input.data || typeof input.data !== "object" || typeof input.data.type !== "string") {
    throw new InvalidParamsError("append needs { data: { type, … }, idempotencyKey? }");
  }
  const key = input.idempotencyKey;
  if (key === undefined) return input;
  if (typeof key !== "string" || key.length === 0 || key.length > 512) {
    throw new InvalidParamsError("idempotencyKey must be a non-empty string of at most 512 characters");
  }
  return { data: input.data, idempotencyKey: key };
}

export function validateSessionKey(key: unknown): string {
  if (typeof key !== "string" || key.length === 0 || key.length > 512) {
    throw new InvalidParamsError("session key must be a non-empty string of at most 512 characters");
  }
  return key;
}

/** `agent:<id>:…` keys name their agent; anything else belongs to `main`. */
export function agentIdFromKey(key: string): string {
  const m = /^agent:([^:]+):/.exec(key);
  return m?.[1] ?? "main";
}

/** Cursor for newest-first session pages: the (updatedAt, key) of the last item returned. */
export function encodeCursor(s: Pick<SessionRecord, "updatedAt" | "key">): string {
  return Buffer.from(JSON.stringify([s.updatedAt, s.key]), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): { updatedAt: number; key: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(v) && typeof v[0] === "number" && typeof v[1] === "string") return { updatedAt: v[0], key: v[1] };
  } catch {
    // fall through
  }
  throw new InvalidParamsError("invalid cursor: pass back the nextCursor of the previous page");
}

/** True if `s` comes after the cursor position in (updatedAt desc, key desc) order. */
export function afterCursor(s: Pick<SessionRecord, "updatedAt" | "key">, c: { updatedAt: number; key: string }): boolean {
  return s.updatedAt < c.updatedAt || (s.updatedAt === c.updatedAt && s.key < c.key);
}

export function compareNewestFirst(a: SessionRecord, b: SessionRecord): number {
  if (a.updatedAt !== b.updatedAt) return b.updatedAt - a.updatedAt;
  return a.key < b.key ? 1 : a.key > b.key ? -1 : 0;
}

export function clampLimit(limit: number | undefined, dflt: number, max: number): number {
  if (limit === undefined) return dflt;
  if (!Number.isFinite(limit) || limit < 1) return 1;
  return Math.min(Math.floor(limit), max);
}

/** The export format: a `{"type":"session","session":…}` header line, then each StoredEvent as a line, ascending seq. */
export function toJsonl(session: SessionRecord, events: StoredEvent[]): string {
  const lines = [JSON.stringify({ type: "session", session })];
  for (const e of events) lines.push(JSON.stringify(e));
  return lines.join("\n") + "\n";
}
