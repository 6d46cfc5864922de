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
 * they commit (`appended`), so a load then finds nothing new to read. A session whose record changed under it (deleted and
 * re-created, or shorter than seen) is rebuilt from the store. The cache is bounded by sessions
 * (`maxSessions`, default 2,048) and by an estimate of the memory it holds (`maxChars`, default
 * 16 Mi: characters of text and data plus 256 per message for the objects — measured: a cached
 * short message costs ~270 bytes of live JS heap, so the default holds ~16 MB);
 * the least recently used sessions are evicted first. The cached histories grow with every turn,
 * so a busy process fills the cache to this cap and stays there: the cap is the steady state. (A cache smaller than the number of active
 * sessions thrashes: every turn then re-reads its whole session log.)
 */
import type { StoredEvent } from "../core/events.ts";
import type { Message } from "../core/messages.ts";
import type { SessionStore } from "../store/types.ts";

export interface PriorRun {
  runId: string;
  userSeq: number;
  messages: Message[];
  /** cached token estimate of `messages` (compaction.ts); cleared when a message is added */
  tokens?: number;
  /** cached "`messages` can be sent as they are" (model-messages.ts); cleared when a message is added */
  selfContained?: boolean;
}

export interface History {
  summary?: string;
  runs: PriorRun[];
}

interface Cached {
  createdAt: number;
  lastSeq: number;
  /** approximate characters held (text, tool input/output, image data) */
  chars: number;
  summary?: string;
  runs: Map<string, PriorRun>;
}

const PAGE = 512;

export class HistoryCache {
  #sessions = new Map<string, Cached>();
  readonly #max: number;
  readonly #maxChars: number;
  #chars = 0;

  constructor(maxSessions = 2048, maxChars = 16 * 1024 * 1024) {
    this.#max = Math.max(1, maxSessions);
    this.#maxChars = Math.max(0, maxChars);
  }

  /** characters held over all cached sessions (approximate) */
  get chars(): number {
    return this.#chars;
  }

  get size(): number {
    return this.#sessions.size;
  }

  forget(sessionKey: string): void {
    const c = this.#sessions.get(sessionKey);
    if (c) this.#chars -= c.chars;
    this.#sessions.delete(sessionKey);
  }

  /**
   * Events just committed by this process, in seq order: applied to the cached session when they
   * directly follow what it holds (anything else, e.g. a gap left by another writer, is ignored and
   * the next load reads it from the store).
   */
  appended(sessionKey: string, events: readonly StoredEvent[]): void {
    const c = this.#sessions.get(sessionKey);
    if (!c || events.length === 0) return;
    for (let i = 0; i < events.length; i++) if (events[i]!.seq !== c.lastSeq + 1 + i) return;
    const before = c.chars;
    apply(c, events);
    c.lastSeq = events[events.length - 1]!.seq;
    this.#chars += c.chars - before;
    this.#trim();
  }

  #trim(): void {
    while (this.#sessions.size > 1 && (this.#sessions.size > this.#max || this.#chars > this.#maxChars)) {
      this.forget(this.#sessions.keys().next().value!);
    }
  }

  /** Earlier runs of the session (those whose user message precedes `beforeSeq`), grouped and ordered. */
  async load(store: SessionStore, sessionKey: string, beforeSeq: number): Promise<History> {
    const session = await store.getSession(sessionKey);
    if (!session || session.lastSeq === 0) {
      this.forget(sessionKey);
      return { runs: [] };
    }
    let c = this.#sessions.get(sessionKey);
    this.forget(sessionKey);
    if (!c || c.createdAt !== session.createdAt || c.lastSeq > session.lastSeq) {
      c = await rebuild(store, sessionKey, session.lastSeq, session.createdAt);
    } else if (c.lastSeq < session.lastSeq) {
      for (let from = c.lastSeq + 1; from <= session.lastSeq; from += PAGE) {
        apply(c, await store.readRange(sessionKey, from, Math.min(session.lastSeq, from + PAGE - 1)));
      }
      c.lastSeq = session.lastSeq;
    }
    this.forget(sessionKey); // a concurrent load of the same session may have stored its copy meanwhile
    this.#sessions.set(sessionKey, c);
    this.#chars += c.chars;
    this.#trim();
    // runs are kept in user-message order (the log's order), so the earlier runs are a prefix
    const runs: PriorRun[] = [];
    for (const r of c.runs.values()) {
      if (r.userSeq >= beforeSeq) continue;
      runs.push(r);
    }
    return c.summary === undefined ? { runs } : { summary: c.summary, runs };
  }
}

/** One-shot load without a cache. */
export function loadHistory(store: SessionStore, sessionKey: string, beforeSeq: number): Promise<History> {
  return new HistoryCache(1).load(store, sessionKey, beforeSeq);
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
  const c: Cached = { createdAt, lastSeq, chars: 0, runs: new Map() };
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
        delete c.summary;
        c.chars = 0;
        break;
      case "compaction":
        c.summary = d.summary;
        for (const [id, r] of c.runs) if (r.userSeq <= d.throughSeq) c.runs.delete(id);
        c.chars = d.summary.length;
        for (const r of c.runs.values()) for (const m of r.messages) c.chars += messageChars(m);
        break;
      case "user_message":
        c.runs.set(d.runId, { runId: d.runId, userSeq: e.seq, messages: [d.message] });
        c.chars += messageChars(d.message);
        break;
      case "assistant_message":
      case "tool_result": {
        const r = c.runs.get(d.runId);
        if (r) {
          r.messages.push(d.message);
          delete r.tokens;
          delete r.selfContained;
          c.chars += messageChars(d.message);
        }
        break;
      }
    }
  }
}

/** Approximate size of a message: characters held plus a per-message object overhead (no serialisation). */
function messageChars(m: Message): number {
  let n = 256;
  for (const b of m.content) {
    switch (b.type) {
      case "text":
      case "thinking":
        n += b.text.length;
        break;
      case "image":
        n += b.data.length;
        break;
      case "tool_use":
        n += 64 + (typeof b.input === "string" ? b.input.length : 256);
        break;
      case "tool_result":
        for (const x of b.content) n += x.type === "text" ? x.text.length : x.data.length;
        break;
    }
  }
  return n;
}
