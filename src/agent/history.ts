/**
 * The history of earlier runs, rebuilt from the store and cached per session.
 *
 * Rules:
 * - Only events after the latest `session_reset` or `compaction` count. A compaction summarises
 *   every run whose `user_message` has seq <= `throughSeq`; its summary opens the history.
 * - Events are grouped by `runId`, runs ordered by their `user_message` seq (a message queued while
 *   another run was in flight never interleaves with it). Only runs queued before the current one
 *   are included; events of runs whose user message is not in range are ignored.
 *
 * The cache keeps, per session, what the rules above produce plus the last seq it has seen; a load
 * reads only the events appended since (by this process or any other writer of the store), so a
 * turn costs O(new events), not O(log); the events this process appends are handed to the cache as
 * they commit (`appended`), so a load then finds nothing new to read. A session whose record
 * changed under it (deleted and re-created, or shorter than seen) is rebuilt from the store.
 *
 * Idle sessions cost nothing here: a session with no turn for `idleMs` (default 10 minutes) is
 * dropped (swept every quarter of it, and never handed out stale), so what an idle session leaves
 * behind is its rows on disk; its next turn reads its log once and is cached again.
 *
 * Admission (2Q's "second chance"): a session is cached when it comes back while its key is still
 * among the last `maxSessions` sessions loaded (kept as keys only), i.e. exactly when least-recently-
 * used caching would have given it a hit; a session whose turns are further apart than that would
 * only be evicted unused, so it is not cached at all (its turns read their log, as they would anyway).
 * So a conversation is cached from its second turn (which reads its few events once more) and hits
 * from its third; a session evicted for room is remembered by key and cached again on its next load.
 *
 * Bounds (an `lru-cache`, least recently used evicted first): `maxSessions` (default 2,048) and
 * `maxBytes` (default 64 MiB) over the real serialized size of every cached message — text, tool
 * inputs (a 1 MB `write` counts 1 MB), tool results, image data — plus 256 bytes per message for
 * the objects (measured: a cached short message costs ~270 bytes of live JS heap). A session larger
 * than `maxBytes` on its own is not cached (each of its turns reads its log). The cached histories
 * grow with every turn, so a busy process fills the cache to this cap and stays there: the cap is
 * the steady state. (A cache smaller than the active sessions' histories thrashes: every turn then
 * re-reads its whole session log. Measured, 1,000 sessions through the binary: at 16 MiB throughput
 * fell from ~2,000 to 891 msg/s after 30,000 messages and RSS rose faster; 128 MiB stayed at ~1,900
 * with less RSS. Hence 64 MiB.)
 */
import { LRUCache } from "lru-cache";
import type { StoredEvent } from "../core/events.ts";
import type { Message } from "../core/messages.ts";
import type { SessionStore } from "../store/types.ts";
import { summaryMessage } from "./model-messages.ts";

export interface PriorRun {
  runId: string;
  userSeq: number;
  messages: Message[];
  /** cached token estimate of `messages` (compaction.ts); cleared when a message is added */
  tokens?: number | undefined;
  /** cached "`messages` can be sent as they are" (model-messages.ts); cleared when a message is added */
  selfContained?: boolean | undefined;
}

export interface History {
  summary?: string;
  /** the summary as the message that opens the model's list, the same object while the summary stays (model-messages.ts) */
  summaryMessage?: Message;
  runs: PriorRun[];
}

interface Cached {
  createdAt: number;
  lastSeq: number;
  /** serialized bytes held (messages and summary) plus a per-message overhead */
  bytes: number;
  summary?: string;
  summaryMessage?: Message;
  runs: Map<string, PriorRun>;
  /** the same runs in user-message order (the log's order): a turn's earlier runs are a prefix of it */
  list: PriorRun[];
}

/** Every run has the same shape (the caches set, never deleted: a deleted property makes each run a slow dictionary object). */
const newRun = (runId: string, userSeq: number, message: Message): PriorRun => ({ runId, userSeq, messages: [message], tokens: undefined, selfContained: undefined });

const PAGE = 512;

export interface HistoryCacheBounds {
  /** default 2,048 */
  maxSessions?: number;
  /** default 64 MiB */
  maxBytes?: number;
  /** a session with no turn for this long is dropped; default 600,000 (10 minutes) */
  idleMs?: number;
}

export const DEFAULT_HISTORY_IDLE_MS = 600_000;

export class HistoryCache {
  readonly #cache: LRUCache<string, Cached>;
  /** keys of sessions loaded lately and not cached: the admission filter (keys only, same bounds) */
  readonly #seen: LRUCache<string, true>;
  readonly #sweep: ReturnType<typeof setInterval>;

  /** `clock` is for tests (milliseconds, monotonic); the sweep then runs only through `sweep()` */
  constructor(bounds: HistoryCacheBounds = {}, clock?: () => number) {
    const idleMs = Math.max(1, bounds.idleMs ?? DEFAULT_HISTORY_IDLE_MS);
    const max = Math.max(1, bounds.maxSessions ?? 2048);
    const expiry = {
      ttl: idleMs,
      // lru-cache reads the clock once per this many ms (each read arms a timer): a second is plenty for minutes
      ttlResolution: clock ? 0 : 1000,
      ...(clock ? { perf: { now: clock } } : {}),
    };
    this.#seen = new LRUCache<string, true>({ max, ...expiry });
    this.#cache = new LRUCache<string, Cached>({
      max,
      maxSize: Math.max(1, bounds.maxBytes ?? 64 * 1024 * 1024),
      sizeCalculation: (c) => Math.max(1, c.bytes),
      // evicted for room, not for idleness: its next load may cache it again
      disposeAfter: (_c, key, reason) => {
        if (reason === "evict") this.#seen.set(key, true);
      },
      ...expiry,
    });
    this.#sweep = setInterval(() => this.sweep(), Math.max(1000, idleMs / 4));
    this.#sweep.unref?.();
  }

  /** Drops the sessions idle for `idleMs` or more (runs by itself every quarter of it). */
  sweep(): void {
    this.#cache.purgeStale();
    this.#seen.purgeStale();
  }

  /** Stops the sweep timer and drops everything. */
  close(): void {
    clearInterval(this.#sweep);
    this.#cache.clear();
    this.#seen.clear();
  }

  /** sessions remembered by key only (loaded lately, not cached) */
  get seenSize(): number {
    return this.#seen.size;
  }

  /** bytes held over all cached sessions, as counted against `maxBytes` */
  get bytes(): number {
    return this.#cache.calculatedSize;
  }

  get size(): number {
    return this.#cache.size;
  }

  /** The session was deleted or reset: nothing of it is kept, not even its key. */
  forget(sessionKey: string): void {
    this.#cache.delete(sessionKey);
    this.#seen.delete(sessionKey);
  }

  /**
   * Events just committed by this process, in seq order: applied to the cached session when they
   * directly follow what it holds (anything else, e.g. a gap left by another writer, is ignored and
   * the next load reads it from the store).
   */
  appended(sessionKey: string, events: readonly StoredEvent[]): void {
    const c = this.#cache.peek(sessionKey);
    if (!c || events.length === 0) return;
    for (let i = 0; i < events.length; i++) if (events[i]!.seq !== c.lastSeq + 1 + i) return;
    apply(c, events);
    c.lastSeq = events[events.length - 1]!.seq;
    this.#cache.set(sessionKey, c); // re-measures it (and drops it when it alone passes the cap)
  }

  /** Earlier runs of the session (those whose user message precedes `beforeSeq`), grouped and ordered. */
  async load(store: SessionStore, sessionKey: string, beforeSeq: number): Promise<History> {
    const session = await store.getSession(sessionKey);
    if (!session || session.lastSeq === 0) {
      this.#cache.delete(sessionKey);
      this.#seen.set(sessionKey, true);
      return { runs: [] };
    }
    let c = this.#cache.get(sessionKey);
    const admit = c !== undefined || this.#seen.has(sessionKey);
    this.#cache.delete(sessionKey);
    if (!c || c.createdAt !== session.createdAt || c.lastSeq > session.lastSeq) {
      c = await rebuild(store, sessionKey, session.lastSeq, session.createdAt);
    } else if (c.lastSeq < session.lastSeq) {
      for (let from = c.lastSeq + 1; from <= session.lastSeq; from += PAGE) {
        apply(c, await store.readRange(sessionKey, from, Math.min(session.lastSeq, from + PAGE - 1)));
      }
      c.lastSeq = session.lastSeq;
    }
    if (admit) {
      this.#seen.delete(sessionKey);
      this.#cache.set(sessionKey, c); // replaces a copy a concurrent load of the same session stored meanwhile
    } else this.#seen.set(sessionKey, true);
    return historyOf(c, beforeSeq);
  }
}

/** One-shot load without a cache. */
export async function loadHistory(store: SessionStore, sessionKey: string, beforeSeq: number): Promise<History> {
  const session = await store.getSession(sessionKey);
  if (!session || session.lastSeq === 0) return { runs: [] };
  return historyOf(await rebuild(store, sessionKey, session.lastSeq, session.createdAt), beforeSeq);
}

function historyOf(c: Cached, beforeSeq: number): History {
  // runs are kept in user-message order (the log's order), so the earlier runs are a prefix:
  // found from the end (the current run and any queued behind it), copied in one go
  let n = c.list.length;
  while (n > 0 && c.list[n - 1]!.userSeq >= beforeSeq) n--;
  const runs = c.list.slice(0, n);
  if (c.summary === undefined) return { runs };
  if (c.summaryMessage === undefined) c.summaryMessage = summaryMessage(c.summary);
  return { summary: c.summary, summaryMessage: c.summaryMessage, runs };
}

/** Reads backwards in pages to the latest marker, then applies the events after it. */
async function rebuild(store: SessionStore, sessionKey: string, lastSeq: number, createdAt: number): Promise<Cached> {
  const pages: StoredEvent[][] = [];
  let floor = 1;
  let marker: StoredEvent | undefined;
  for (let to = lastSeq; to >= 1; ) {
    const from = Math.max(1, to - PAGE + 1);
    const page = await store.readRange(sessionKey, from, to);
    pages.unshift(page);
    if (!marker) {
      for (let i = page.length - 1; i >= 0 && !marker; i--) {
        const d = page[i]!.data;
        if (d.type === "session_reset" || d.type === "compaction") {
          marker = page[i]!;
          floor = d.type === "compaction" ? d.throughSeq + 1 : page[i]!.seq + 1;
        }
      }
    }
    if (marker && from <= floor) break;
    to = from - 1;
  }
  const c: Cached = { createdAt, lastSeq, bytes: 0, runs: new Map(), list: [] };
  if (marker?.data.type === "compaction") c.summary = marker.data.summary;
  apply(c, pages.flat().filter((e) => e.seq >= floor && e !== marker && e.data.type !== "compaction" && e.data.type !== "session_reset"));
  return c;
}

function apply(c: Cached, events: readonly StoredEvent[]): void {
  for (const e of events) {
    const d = e.data;
    switch (d.type) {
      case "session_reset":
        c.runs.clear();
        c.list = [];
        delete c.summary;
        delete c.summaryMessage;
        c.bytes = 0;
        break;
      case "compaction":
        c.summary = d.summary;
        delete c.summaryMessage;
        for (const [id, r] of c.runs) if (r.userSeq <= d.throughSeq) c.runs.delete(id);
        c.list = c.list.filter((r) => r.userSeq > d.throughSeq);
        c.bytes = byteLength(d.summary);
        for (const r of c.runs.values()) for (const m of r.messages) c.bytes += messageBytes(m);
        break;
      case "user_message":
        {
          const r = newRun(d.runId, e.seq, d.message);
          const before = c.runs.get(d.runId);
          c.runs.set(d.runId, r);
          if (before) c.list = c.list.filter((x) => x !== before);
          c.list.push(r);
        }
        c.bytes += messageBytes(d.message);
        break;
      case "assistant_message":
      case "tool_result": {
        const r = c.runs.get(d.runId);
        if (r) {
          r.messages.push(d.message);
          r.tokens = undefined;
          r.selfContained = undefined;
          c.bytes += messageBytes(d.message);
        }
        break;
      }
    }
  }
}

const byteLength = (text: string): number => Buffer.byteLength(text, "utf8");

/** What a cached message holds: its serialized content in bytes (tool inputs included) plus the object overhead. */
function messageBytes(m: Message): number {
  return 256 + byteLength(JSON.stringify(m.content));
}
