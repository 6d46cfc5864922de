/**
 * The store contract. SQLite (`sqlite.ts`) is the embedded default; `memory.ts` serves the library
 * from Node and unit tests; PostgreSQL can implement the same interface later. Every method is
 * async so a networked store fits, and so SQLite appends can be group-committed: concurrent
 * appends share one `BEGIN IMMEDIATE … COMMIT`, and each promise resolves only after that COMMIT
 * (acknowledged means committed).
 *
 * Errors: `StorageFullError` (disk full; reads still work), `StorageCorruptError` (names the file
 * and the recovery), `StorageError` otherwise. Appends validate `data` with `StoredEventDataSchema`
 * and throw `InvalidParamsError` on a bad payload, writing nothing — unless the caller passes
 * `{ trusted: true }` (payloads the agent runtime builds itself, already typed and checked at its
 * edge): then only the shape (`data.type`, the idempotency key) is checked.
 */
import type { StoredEvent, StoredEventData } from "../core/events.ts";

export interface SessionRecord {
  key: string;
  agentId: string;
  channel: string | null;
  peer: string | null;
  title: string | null;
  createdAt: number;
  updatedAt: number;
  /** highest seq in the log, 0 when empty */
  lastSeq: number;
}

export interface SessionInput {
  key: string;
  agentId?: string;
  channel?: string | null;
  peer?: string | null;
  title?: string | null;
}

export interface SessionListOptions {
  limit?: number;
  cursor?: string;
  agentId?: string;
  channel?: string;
  /** case-insensitive (ASCII) substring of the key, channel, peer or title */
  query?: string;
}

export interface Page<T> {
  items: T[];
  /** pass back as `cursor` for the next page; absent on the last page */
  nextCursor?: string;
}

export interface AppendInput {
  data: StoredEventData;
  /** a retried append with the same key is a no-op that returns the first event */
  idempotencyKey?: string;
}

export interface AppendOptions {
  /**
   * The payloads were built by trusted code (typed `StoredEventData`, user content validated at the
   * edge): skip the schema validation. The store may keep the `data` objects as given, so the
   * caller must not mutate them afterwards. External input must never take this path.
   */
  trusted?: boolean;
  /** what the session is created with when this append creates it (in the same transaction); an existing session is left alone */
  session?: Omit<SessionInput, "key">;
  /** when the events happened (epoch ms), for imports that keep the source's time; default now */
  ts?: number;
}

export interface UnfinishedRun {
  sessionKey: string;
  runId: string;
  startedAt: number;
}

export type PairingStatus = "pending" | "approved" | "denied";
export interface PairingRecord {
  channel: string;
  peerId: string;
  code: string;
  status: PairingStatus;
  createdAt: number;
  expiresAt: number;
  meta: Record<string, unknown>;
}

/**
 * How long processed inbox rows are kept for de-duplication: rows processed within `keepDoneMs`
 * (default 48 h: Telegram redelivers an update for at most 24 h), and in any case the newest
 * `keepDoneMin` of each channel (default 1,000).
 */
export interface InboxRetention {
  keepDoneMs: number;
  keepDoneMin: number;
}

/** Options every store implementation takes. */
export interface StoreOptions {
  inboxRetention?: Partial<InboxRetention>;
  /** milliseconds since the epoch; tests inject a fake clock (default Date.now) */
  clock?: () => number;
}

export interface SessionStore {
  /** Create the session if it is missing (fields of an existing one are left alone) and return it. */
  ensureSession(input: SessionInput): Promise<SessionRecord>;
  getSession(key: string): Promise<SessionRecord | null>;
  /** Number of sessions (all agents, all channels). */
  countSessions(): Promise<number>;
  /** Newest (by updatedAt) first. */
  listSessions(opts?: SessionListOptions): Promise<Page<SessionRecord>>;
  /** Messages (user + assistant events) in each named session's log; a key with none (or no session) maps to 0. */
  messageCounts(keys: readonly string[]): Promise<Record<string, number>>;
  setTitle(key: string, title: string): Promise<void>;
  /**
   * Deletes the session, its events and the channel rows keyed to it, in one transaction: the inbox
   * row of every update whose run's user message carries `origin: { channel, updateId }`, and that
   * update's `<channel>.delivery` kv entry. Returns false if there was no session.
   */
  deleteSession(key: string): Promise<boolean>;

  /** Append one event (creating the session if needed). Resolves after the event is durable. */
  append(sessionKey: string, input: AppendInput, opts?: AppendOptions): Promise<StoredEvent>;
  /** Append several events atomically, in order (one commit). */
  appendMany(sessionKey: string, inputs: AppendInput[], opts?: AppendOptions): Promise<StoredEvent[]>;
  /** Events with fromSeq <= seq <= toSeq (inclusive), ascending, at most `limit`. */
  readRange(sessionKey: string, fromSeq: number, toSeq?: number, limit?: number): Promise<StoredEvent[]>;
  /** The latest `n` events, ascending. */
  readLatest(sessionKey: string, n: number): Promise<StoredEvent[]>;
  findByIdempotencyKey(idempotencyKey: string): Promise<StoredEvent | null>;
  /** One JSON object per line: a header line for the session, then each event. */
  exportJsonl(sessionKey: string): Promise<string>;
  /** Runs with a `run_started` or `user_message` but no `run_finished` (after a crash). */
  listUnfinishedRuns(): Promise<UnfinishedRun[]>;

  /**
   * Channel update de-duplication and durable inbox: put returns false when the id was seen before
   * (and is still kept: see `InboxRetention`). Processed rows are pruned by `inboxPrune`, which
   * `inboxDone` also runs every so often; pending rows are never pruned.
   */
  inboxPut(channel: string, updateId: string, payload: unknown): Promise<boolean>;
  inboxDone(channel: string, updateId: string): Promise<void>;
  inboxPending(channel: string): Promise<{ updateId: string; payload: unknown }[]>;
  /** Deletes the processed rows of `channel` the retention policy no longer keeps; returns how many. */
  inboxPrune(channel: string): Promise<number>;

  /** Small durable key/value state for channels and plugins (offsets, watermarks). */
  kvGet(namespace: string, key: string): Promise<unknown>;
  kvSet(namespace: string, key: string, value: unknown): Promise<void>;

  pairingUpsert(record: PairingRecord): Promise<void>;
  pairingList(channel?: string, status?: PairingStatus): Promise<PairingRecord[]>;
  pairingGet(channel: string, peerId: string): Promise<PairingRecord | null>;
  pairingByCode(channel: string, code: string): Promise<PairingRecord | null>;

  /** Flush pending writes and close. Further calls throw. */
  close(): Promise<void>;
}
