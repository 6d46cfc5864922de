/**
 * The durable inbox. Every update is stored (`inboxPut`) before it is acknowledged to Telegram
 * (webhook 200, or the next getUpdates offset), and marked done only after its reply went out, so:
 * - an update seen twice (Telegram retry, webhook replay, restart overlap) is handled once;
 * - updates still pending at start-up are handled again; their run is tied to the update by the
 *   idempotency key `telegram:<update_id>`, so a finished run is not re-run, only its reply
 *   resumed (delivery progress is kept in the store's kv, see `DeliveryProgress`).
 * Updates of one chat (or forum topic) are handled in order; chats run concurrently. "Urgent"
 * updates (/stop, /new) skip the chat's queue so they can interrupt a running turn.
 */
import type { Update } from "grammy/types";
import { settleWithin } from "../../core/backoff.ts";
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { SessionStore } from "../../store/types.ts";
import type { DeliveryProgress } from "./stream.ts";

export const INBOX_CHANNEL = "telegram";
const PROGRESS_NS = "telegram.delivery";

export type HandleResult = "done" | "keep";

export interface InboxOptions {
  store: SessionStore;
  log: Logger;
  handle: (update: Update) => Promise<HandleResult>;
  urgent: (update: Update) => boolean;
  /** ordering key: chat id (+ thread); updates without a chat share one key */
  keyOf: (update: Update) => string;
}

export class Inbox {
  readonly #o: InboxOptions;
  readonly #chains = new Map<string, Promise<void>>();
  readonly #inflight = new Set<Promise<void>>();
  /** update ids scheduled and not yet finished: recover() and accept() may both see one */
  readonly #scheduled = new Set<string>();
  #accepting = true;
  stats = { accepted: 0, duplicates: 0, handled: 0, kept: 0, failed: 0 };

  constructor(opts: InboxOptions) {
    this.#o = opts;
  }

  get pending(): number {
    return this.#inflight.size;
  }

  /** Store the update durably; schedule it when new. Resolves once stored (the caller may then acknowledge). */
  async accept(update: Update): Promise<boolean> {
    const fresh = await this.#o.store.inboxPut(INBOX_CHANNEL, String(update.update_id), update);
    if (!fresh) {
      this.stats.duplicates++;
      return false;
    }
    this.stats.accepted++;
    this.#schedule(update);
    return true;
  }

  /** Start-up: (re)open for work and schedule every stored update that was not finished, oldest first. */
  async recover(): Promise<number> {
    this.#accepting = true;
    const items = await this.#o.store.inboxPending(INBOX_CHANNEL);
    items.sort((a, b) => Number(a.updateId) - Number(b.updateId));
    const fresh = items.filter((i) => !this.#scheduled.has(i.updateId)); // (a cluster node calls this periodically: its own in flight are listed too)
    for (const item of fresh) this.#schedule(item.payload as Update);
    if (fresh.length) this.#o.log.info("telegram: resuming unfinished updates", { count: fresh.length });
    return fresh.length;
  }

  #schedule(update: Update): void {
    if (!this.#accepting) return; // stays pending in the store; handled after the restart
    const id = String(update.update_id);
    if (this.#scheduled.has(id)) return;
    this.#scheduled.add(id);
    const run = () => this.#run(update).finally(() => this.#scheduled.delete(id));
    let p: Promise<void>;
    if (this.#o.urgent(update)) p = run();
    else {
      const key = this.#o.keyOf(update);
      const prev = this.#chains.get(key) ?? Promise.resolve();
      p = prev.then(run);
      this.#chains.set(key, p);
      void p.then(() => {
        if (this.#chains.get(key) === p) this.#chains.delete(key);
      });
    }
    this.#inflight.add(p);
    void p.then(() => this.#inflight.delete(p));
  }

  async #run(update: Update): Promise<void> {
    if (!this.#accepting) return;
    const id = String(update.update_id);
    let result: HandleResult = "done";
    try {
      result = await this.#o.handle(update);
    } catch (err) {
      this.stats.failed++;
      this.#o.log.error("telegram update failed", { updateId: id, err: errorMessage(err) });
    }
    if (result === "keep") {
      this.stats.kept++;
      return;
    }
    this.stats.handled++;
    try {
      await this.#o.store.inboxDone(INBOX_CHANNEL, id);
      await clearProgress(this.#o.store, id);
    } catch (err) {
      this.#o.log.error("telegram: could not mark update done", { updateId: id, err: errorMessage(err) });
    }
  }

  /** Stop taking new work; wait up to `graceMs` for the handlers in flight. */
  async stop(graceMs: number): Promise<void> {
    this.#accepting = false;
    await settleWithin([...this.#inflight], graceMs);
  }

  /**
   * Wait until nothing is in flight (work scheduled meanwhile included). Throws when `timeoutMs`
   * passes first, so a test or a shutdown that waits on it never passes silently.
   */
  async idle(timeoutMs = 10_000): Promise<void> {
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((r) => (timer = setTimeout(() => ((timedOut = true), r()), timeoutMs)));
    try {
      while (this.#inflight.size > 0 && !timedOut) await Promise.race([Promise.allSettled([...this.#inflight]), deadline]);
    } finally {
      clearTimeout(timer);
    }
    if (this.#inflight.size > 0) throw new Error(`telegram inbox: ${this.#inflight.size} update(s) still in flight after ${timeoutMs} ms`);
  }
}

export async function loadProgress(store: SessionStore, updateId: number | string): Promise<DeliveryProgress> {
  const v = (await store.kvGet(PROGRESS_NS, String(updateId))) as DeliveryProgress | undefined | null;
  return v && typeof v.chunksSent === "number" ? v : { chunksSent: 0 };
}

export function saveProgress(store: SessionStore, updateId: number | string, p: DeliveryProgress): Promise<void> {
  return store.kvSet(PROGRESS_NS, String(updateId), p);
}

/** Drop the progress record, if there is one (a read costs no commit; most replies never saved one). */
export async function clearProgress(store: SessionStore, updateId: number | string): Promise<void> {
  if ((await store.kvGet(PROGRESS_NS, String(updateId))) === undefined) return;
  await store.kvSet(PROGRESS_NS, String(updateId), undefined);
}

/** Chat (and forum topic) an update belongs to, for ordering. */
export function orderingKey(update: Update): string {
  const m = update.message ?? update.edited_message ?? update.channel_post ?? update.callback_query?.message;
  if (!m) return "_";
  const thread = "message_thread_id" in m && m.message_thread_id !== undefined ? `:${m.message_thread_id}` : "";
  return `${m.chat.id}${thread}`;
}
