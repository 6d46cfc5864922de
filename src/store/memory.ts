/**
 * `MemoryStore`: the SessionStore contract held in memory. For the library under plain Node and for
 * unit tests; nothing survives the process. No Bun-only imports. Values are copied in and out, so a
 * caller mutating a returned event cannot change the log (same as a real database).
 */
import type { StoredEvent } from "../core/events.ts";
import { StorageError } from "../core/errors.ts";
import {
  afterCursor, agentIdFromKey, clampLimit, compareNewestFirst, decodeCursor, encodeCursor,
  checkTrustedAppend, inboxRetention, PRUNE_EVERY, toJsonl, validateAppend, validateSessionKey,
} from "./common.ts";
import type {
  AppendInput, AppendOptions, InboxRetention, Page, PairingRecord, PairingStatus, SessionInput, SessionListOptions, SessionRecord,
  SessionStore, StoreOptions, UnfinishedRun,
} from "./types.ts";

const copy = <T>(v: T): T => structuredClone(v);
/** lower case for A-Z only, as SQLite's LIKE compares */
const asciiLower = (v: string): string => v.replace(/[A-Z]/g, (c) => c.toLowerCase());

export class MemoryStore implements SessionStore {
  #sessions = new Map<string, SessionRecord>();
  #events = new Map<string, StoredEvent[]>();
  #byIdem = new Map<string, StoredEvent>();
  /** insertion order is arrival order */
  #inbox = new Map<string, { channel: string; updateId: string; payload: unknown; doneAt?: number }>();
  #kv = new Map<string, unknown>();
  #pairing = new Map<string, PairingRecord>();
  #closed = false;
  #lastTs = 0;
  readonly #clock: () => number;
  readonly #retention: InboxRetention;
  #doneSincePrune = 0;

  constructor(opts: StoreOptions = {}) {
    this.#clock = opts.clock ?? Date.now;
    this.#retention = inboxRetention(opts.inboxRetention);
  }

  #open(): void {
    if (this.#closed) throw new StorageError("the store is closed");
  }

  /** Monotonic millisecond clock so updatedAt ordering is stable within a process. */
  #now(): number {
    this.#lastTs = Math.max(this.#clock(), this.#lastTs);
    return this.#lastTs;
  }

  #ensure(input: SessionInput): SessionRecord {
    const key = validateSessionKey(input.key);
    let s = this.#sessions.get(key);
    if (!s) {
      const now = this.#now();
      s = {
        key,
        agentId: input.agentId ?? agentIdFromKey(key),
        channel: input.channel ?? null,
        peer: input.peer ?? null,
        title: input.title ?? null,
        createdAt: now,
        updatedAt: now,
        lastSeq: 0,
      };
      this.#sessions.set(key, s);
      this.#events.set(key, []);
    }
    return s;
  }

  async ensureSession(input: SessionInput): Promise<SessionRecord> {
    this.#open();
    return { ...this.#ensure(input) };
  }

  async getSession(key: string): Promise<SessionRecord | null> {
    this.#open();
    const s = this.#sessions.get(key);
    return s ? { ...s } : null;
  }

  async countSessions(): Promise<number> {
    this.#open();
    return this.#sessions.size;
  }

  async listSessions(opts: SessionListOptions = {}): Promise<Page<SessionRecord>> {
    this.#open();
    const limit = clampLimit(opts.limit, 50, 1000);
    const cur = opts.cursor ? decodeCursor(opts.cursor) : undefined;
    const q = opts.query ? asciiLower(opts.query) : undefined;
    const matches = (s: SessionRecord) => q === undefined || [s.key, s.channel, s.peer, s.title].some((v) => v !== null && asciiLower(v).includes(q));
    const all = [...this.#sessions.values()]
      .filter((s) => (opts.agentId === undefined || s.agentId === opts.agentId) && (opts.channel === undefined || s.channel === opts.channel))
      .filter(matches)
      .filter((s) => !cur || afterCursor(s, cur))
      .sort(compareNewestFirst);
    const items = all.slice(0, limit).map((s) => ({ ...s }));
    const last = items[items.length - 1];
    return all.length > limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
  }

  async messageCounts(keys: readonly string[]): Promise<Record<string, number>> {
    this.#open();
    const out: Record<string, number> = {};
    for (const k of keys) out[k] = (this.#events.get(k) ?? []).filter((e) => e.type === "user_message" || e.type === "assistant_message").length;
    return out;
  }

  async setTitle(key: string, title: string): Promise<void> {
    this.#open();
    const s = this.#ensure({ key });
    s.title = title;
    s.updatedAt = this.#now();
  }

  async deleteSession(key: string): Promise<boolean> {
    this.#open();
    if (!this.#sessions.has(key)) return false;
    for (const e of this.#events.get(key) ?? []) {
      if (e.idempotencyKey) this.#byIdem.delete(e.idempotencyKey);
      // the channel rows keyed to the session (types.ts)
      const origin = e.data.type === "user_message" ? e.data.origin : undefined;
      if (typeof origin?.channel === "string" && origin.updateId !== undefined && origin.updateId !== null) {
        const updateId = String(origin.updateId);
        this.#inbox.delete(`${origin.channel}\u0000${updateId}`);
        this.#kv.delete(`${origin.channel}.delivery\u0000${updateId}`);
      }
    }
    this.#sessions.delete(key);
    this.#events.delete(key);
    return true;
  }

  async append(sessionKey: string, input: AppendInput, opts?: AppendOptions): Promise<StoredEvent> {
    const [event] = await this.appendMany(sessionKey, [input], opts);
    return event!;
  }

  async appendMany(sessionKey: string, inputs: AppendInput[], opts?: AppendOptions): Promise<StoredEvent[]> {
    this.#open();
    validateSessionKey(sessionKey);
    // all or nothing: validate before writing any (trusted payloads: shape only; they are still copied)
    const valid = inputs.map(opts?.trusted ? checkTrustedAppend : validateAppend);
    const s = this.#ensure({ ...opts?.session, key: sessionKey });
    const log = this.#events.get(sessionKey)!;
    const out: StoredEvent[] = [];
    for (const v of valid) {
      const prior = v.idempotencyKey === undefined ? undefined : this.#byIdem.get(v.idempotencyKey);
      if (prior) {
        out.push(copy(prior));
        continue;
      }
      const ts = opts?.ts ?? this.#now();
      const event: StoredEvent = { sessionKey, seq: s.lastSeq + 1, ts, type: v.data.type, data: copy(v.data) };
      if (v.idempotencyKey !== undefined) {
        event.idempotencyKey = v.idempotencyKey;
        this.#byIdem.set(v.idempotencyKey, event);
      }
      log.push(event);
      s.lastSeq = event.seq;
      s.updatedAt = ts;
      out.push(copy(event));
    }
    return out;
  }

  async readRange(sessionKey: string, fromSeq: number, toSeq?: number, limit?: number): Promise<StoredEvent[]> {
    this.#open();
    const log = this.#events.get(sessionKey) ?? [];
    const max = limit === undefined ? Infinity : Math.max(0, limit);
    const out: StoredEvent[] = [];
    // seq is gap-free from 1, so the index of seq n is n - 1
    for (let i = Math.max(0, fromSeq - 1); i < log.length && out.length < max; i++) {
      const e = log[i]!;
      if (toSeq !== undefined && e.seq > toSeq) break;
      out.push(copy(e));
    }
    return out;
  }

  async readLatest(sessionKey: string, n: number): Promise<StoredEvent[]> {
    this.#open();
    const log = this.#events.get(sessionKey) ?? [];
    return n <= 0 ? [] : log.slice(-n).map(copy);
  }

  async findByIdempotencyKey(idempotencyKey: string): Promise<StoredEvent | null> {
    this.#open();
    const e = this.#byIdem.get(idempotencyKey);
    return e ? copy(e) : null;
  }

  async exportJsonl(sessionKey: string): Promise<string> {
    this.#open();
    const s = this.#sessions.get(sessionKey);
    if (!s) throw new StorageError(`no session ${JSON.stringify(sessionKey)}`);
    return toJsonl({ ...s }, this.#events.get(sessionKey) ?? []);
  }

  async listUnfinishedRuns(): Promise<UnfinishedRun[]> {
    this.#open();
    const out: UnfinishedRun[] = [];
    for (const [sessionKey, log] of this.#events) {
      const open = new Map<string, number>();
      for (const e of log) {
        const runId = "runId" in e.data ? e.data.runId : undefined;
        if (!runId) continue;
        if (e.data.type === "run_finished") open.set(runId, -1);
        else if ((e.data.type === "user_message" || e.data.type === "run_started") && !open.has(runId)) open.set(runId, e.ts);
      }
      for (const [runId, startedAt] of open) if (startedAt >= 0) out.push({ sessionKey, runId, startedAt });
    }
    return out.sort((a, b) => a.startedAt - b.startedAt);
  }

  async inboxPut(channel: string, updateId: string, payload: unknown): Promise<boolean> {
    this.#open();
    const k = `${channel}\u0000${updateId}`;
    if (this.#inbox.has(k)) return false;
    this.#inbox.set(k, { channel, updateId, payload: copy(payload) });
    return true;
  }

  async inboxDone(channel: string, updateId: string): Promise<void> {
    this.#open();
    const item = this.#inbox.get(`${channel}\u0000${updateId}`);
    if (item && item.doneAt === undefined) item.doneAt = this.#now();
    if (++this.#doneSincePrune >= PRUNE_EVERY) {
      this.#doneSincePrune = 0;
      await this.inboxPrune(channel);
    }
  }

  async inboxPending(channel: string): Promise<{ updateId: string; payload: unknown }[]> {
    this.#open();
    return [...this.#inbox.values()]
      .filter((v) => v.channel === channel && v.doneAt === undefined)
      .map((v) => ({ updateId: v.updateId, payload: copy(v.payload) }));
  }

  async inboxPrune(channel: string): Promise<number> {
    this.#open();
    const done = [...this.#inbox.entries()].filter(([, v]) => v.channel === channel && v.doneAt !== undefined);
    const { keepDoneMs, keepDoneMin } = this.#retention;
    if (done.length <= keepDoneMin) return 0;
    // newest first; the newest keepDoneMin stay (with every row processed at the same time as the last of them)
    done.sort((a, b) => b[1].doneAt! - a[1].doneAt!);
    const floor = keepDoneMin > 0 ? done[keepDoneMin - 1]![1].doneAt! : Infinity;
    const cutoff = Math.min(this.#now() - keepDoneMs, floor);
    let n = 0;
    for (const [k, v] of done) {
      if (v.doneAt! < cutoff) {
        this.#inbox.delete(k);
        n++;
      }
    }
    return n;
  }

  async kvGet(namespace: string, key: string): Promise<unknown> {
    this.#open();
    const v = this.#kv.get(`${namespace}\u0000${key}`);
    return v === undefined ? undefined : copy(v);
  }

  async kvSet(namespace: string, key: string, value: unknown): Promise<void> {
    this.#open();
    const k = `${namespace}\u0000${key}`;
    if (value === undefined) this.#kv.delete(k);
    else this.#kv.set(k, JSON.parse(JSON.stringify(value)));
  }

  async pairingUpsert(record: PairingRecord): Promise<void> {
    this.#open();
    this.#pairing.set(`${record.channel}\u0000${record.peerId}`, copy(record));
  }

  async pairingList(channel?: string, status?: PairingStatus): Promise<PairingRecord[]> {
    this.#open();
    return [...this.#pairing.values()]
      .filter((r) => (channel === undefined || r.channel === channel) && (status === undefined || r.status === status))
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(copy);
  }

  async pairingGet(channel: string, peerId: string): Promise<PairingRecord | null> {
    this.#open();
    const r = this.#pairing.get(`${channel}\u0000${peerId}`);
    return r ? copy(r) : null;
  }

  async pairingByCode(channel: string, code: string): Promise<PairingRecord | null> {
    this.#open();
    for (const r of this.#pairing.values()) if (r.channel === channel && r.code === code) return copy(r);
    return null;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
