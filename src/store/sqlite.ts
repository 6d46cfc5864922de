/**
 * `SqliteStore`: the SessionStore on one bun:sqlite file (default `<state dir>/state/openclaw.db`).
 * Writes go through the group-commit queue (writer.ts): resolved promise = committed with
 * synchronous=FULL. Reads run directly on the connection; since every transaction runs
 * synchronously, a read never sees half of one.
 */
import type { Database } from "bun:sqlite";
import type { StoredEvent } from "../core/events.ts";
import { StorageError, StorageFullError } from "../core/errors.ts";
import { databasePath } from "../config/paths.ts";
import { checkTrustedAppend, inboxRetention, PRUNE_EVERY, toJsonl, validateAppend, validateSessionKey } from "./common.ts";
import { ensureReserve, integrityCheck, mapSqliteError, openDatabase, releaseReserve } from "./db.ts";
import { appendRows, findByIdem, iterateEvents, readLatestRows, readRangeRows, unfinishedRunRows } from "./events.ts";
import { deleteSessionChannelRows, inboxDoneRow, inboxPendingRows, inboxPruneRows, inboxPutRow } from "./inbox.ts";
import { kvGetRow, kvSetRow, pairingByCodeRow, pairingGetRow, pairingListRows, pairingUpsertRow } from "./pairing.ts";
import { countSessionRows, deleteSessionRows, ensureSessionRow, getSessionRow, listSessionRows, messageCountRows, setTitleRow } from "./sessions.ts";
import type {
  AppendInput, AppendOptions, InboxRetention, Page, PairingRecord, PairingStatus, SessionInput, SessionListOptions, SessionRecord,
  SessionStore, StoreOptions as CommonStoreOptions, UnfinishedRun,
} from "./types.ts";
import { WriteQueue } from "./writer.ts";

export interface StoreOptions extends CommonStoreOptions {
  maxPages?: number;
  /** size of the disk reserve next to the database (db.ts ensureReserve); default 4 MiB, 0 = none */
  reserveBytes?: number;
}

export class SqliteStore implements SessionStore {
  readonly path: string;
  #db: Database;
  #writer: WriteQueue;
  #closed = false;
  #lastTs = 0;
  readonly #clock: () => number;
  readonly #retention: InboxRetention;
  #doneSincePrune = 0;
  /** the disk reserve was freed: every write that then hits SQLITE_FULL gets one retry */
  #reserveFreed = false;

  /** `maxPages` caps the file size (PRAGMA max_page_count; pages are 4 KiB): a quota, and how tests simulate a full disk. */
  constructor(path: string, opts: StoreOptions = {}) {
    this.path = path;
    this.#db = openDatabase(path);
    if (opts.maxPages !== undefined) this.#db.exec(`PRAGMA max_page_count = ${Math.max(1, Math.floor(opts.maxPages))}`);
    this.#writer = new WriteQueue(this.#db, path);
    this.#clock = opts.clock ?? Date.now;
    this.#retention = inboxRetention(opts.inboxRetention);
    if (opts.reserveBytes !== 0) ensureReserve(path, opts.reserveBytes);
  }

  #now(): number {
    this.#lastTs = Math.max(this.#clock(), this.#lastTs);
    return this.#lastTs;
  }

  #read<T>(doing: string, fn: (db: Database) => T): Promise<T> {
    if (this.#closed) return Promise.reject(new StorageError("the store is closed"));
    try {
      return Promise.resolve(fn(this.#db));
    } catch (err) {
      return Promise.reject(mapSqliteError(err, this.path, doing));
    }
  }

  #write<T>(fn: (db: Database) => T): Promise<T> {
    if (this.#closed) return Promise.reject(new StorageError("the store is closed"));
    return this.#writer.submit(fn).catch((err: unknown) => {
      if (!(err instanceof StorageFullError)) throw err;
      if (releaseReserve(this.path)) this.#reserveFreed = true;
      if (!this.#reserveFreed) throw err;
      return this.#writer.submit(fn);
    });
  }

  ensureSession(input: SessionInput): Promise<SessionRecord> {
    try {
      validateSessionKey(input?.key);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#write((db) => ensureSessionRow(db, input, this.#now()));
  }

  getSession(key: string): Promise<SessionRecord | null> {
    return this.#read("reading a session", (db) => getSessionRow(db, key));
  }

  countSessions(): Promise<number> {
    return this.#read("counting sessions", (db) => countSessionRows(db));
  }

  listSessions(opts: SessionListOptions = {}): Promise<Page<SessionRecord>> {
    return this.#read("listing sessions", (db) => listSessionRows(db, opts));
  }

  messageCounts(keys: readonly string[]): Promise<Record<string, number>> {
    return this.#read("counting messages", (db) => messageCountRows(db, keys));
  }

  setTitle(key: string, title: string): Promise<void> {
    return this.#write((db) => setTitleRow(db, key, title, this.#now()));
  }

  deleteSession(key: string): Promise<boolean> {
    return this.#write((db) => {
      deleteSessionChannelRows(db, key); // reads the session's events: before they go
      return deleteSessionRows(db, key);
    });
  }

  async append(sessionKey: string, input: AppendInput, opts?: AppendOptions): Promise<StoredEvent> {
    const [e] = await this.appendMany(sessionKey, [input], opts);
    return e!;
  }

  appendMany(sessionKey: string, inputs: AppendInput[], opts?: AppendOptions): Promise<StoredEvent[]> {
    let items: ReturnType<typeof validateAppend>[];
    try {
      validateSessionKey(sessionKey);
      // before queueing: a bad payload writes nothing
      items = opts?.trusted ? inputs.map(checkTrustedAppend) : inputs.map(validateAppend);
    } catch (err) {
      return Promise.reject(err);
    }
    const session = opts?.session;
    const ts = opts?.ts;
    return this.#write((db) => appendRows(db, sessionKey, items, ts ?? this.#now(), session));
  }

  readRange(sessionKey: string, fromSeq: number, toSeq?: number, limit?: number): Promise<StoredEvent[]> {
    return this.#read("reading events", (db) => readRangeRows(db, sessionKey, fromSeq, toSeq, limit));
  }

  readLatest(sessionKey: string, n: number): Promise<StoredEvent[]> {
    return this.#read("reading events", (db) => readLatestRows(db, sessionKey, n));
  }

  findByIdempotencyKey(idempotencyKey: string): Promise<StoredEvent | null> {
    return this.#read("reading events", (db) => findByIdem(db, idempotencyKey));
  }

  exportJsonl(sessionKey: string): Promise<string> {
    return this.#read("exporting a session", (db) => {
      const s = getSessionRow(db, sessionKey);
      if (!s) throw new StorageError(`no session ${JSON.stringify(sessionKey)}`);
      return toJsonl(s, [...iterateEvents(db, sessionKey)]);
    });
  }

  listUnfinishedRuns(): Promise<UnfinishedRun[]> {
    return this.#read("listing runs", (db) => unfinishedRunRows(db));
  }

  inboxPut(channel: string, updateId: string, payload: unknown): Promise<boolean> {
    return this.#write((db) => inboxPutRow(db, channel, updateId, payload, this.#now()));
  }

  inboxDone(channel: string, updateId: string): Promise<void> {
    const prune = ++this.#doneSincePrune >= PRUNE_EVERY;
    if (prune) this.#doneSincePrune = 0;
    return this.#write((db) => {
      const now = this.#now();
      inboxDoneRow(db, channel, updateId, now);
      if (prune) inboxPruneRows(db, channel, now, this.#retention);
    });
  }

  inboxPrune(channel: string): Promise<number> {
    return this.#write((db) => inboxPruneRows(db, channel, this.#now(), this.#retention));
  }

  inboxPending(channel: string): Promise<{ updateId: string; payload: unknown }[]> {
    return this.#read("reading the inbox", (db) => inboxPendingRows(db, channel));
  }

  kvGet(namespace: string, key: string): Promise<unknown> {
    return this.#read("reading state", (db) => kvGetRow(db, namespace, key));
  }

  kvSet(namespace: string, key: string, value: unknown): Promise<void> {
    return this.#write((db) => kvSetRow(db, namespace, key, value));
  }

  pairingUpsert(record: PairingRecord): Promise<void> {
    return this.#write((db) => pairingUpsertRow(db, record));
  }

  pairingList(channel?: string, status?: PairingStatus): Promise<PairingRecord[]> {
    return this.#read("reading pairing requests", (db) => pairingListRows(db, channel, status));
  }

  pairingGet(channel: string, peerId: string): Promise<PairingRecord | null> {
    return this.#read("reading pairing requests", (db) => pairingGetRow(db, channel, peerId));
  }

  pairingByCode(channel: string, code: string): Promise<PairingRecord | null> {
    return this.#read("reading pairing requests", (db) => pairingByCodeRow(db, channel, code));
  }

  /** Group-commit counters: transactions and write jobs so far. */
  writeStats(): { batches: number; jobs: number } {
    return { ...this.#writer.stats };
  }

  /** `PRAGMA integrity_check` lines; `["ok"]` when healthy. */
  integrityCheck(): string[] {
    return integrityCheck(this.#db);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writer.drained();
    try {
      this.#db.exec("PRAGMA optimize");
    } catch {
      // best effort
    }
    this.#db.close();
  }
}

/** Opens (creating and migrating) the store. Throws StorageCorruptError / StorageError. */
export async function openStore(path: string = databasePath(), opts: StoreOptions = {}): Promise<SqliteStore> {
  return new SqliteStore(path, opts);
}
