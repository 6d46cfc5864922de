/**
 * The sending half of the PostgreSQL fan-out: ONE connection and a serial queue. NOTIFYs sent by one
 * connection reach listeners in commit order, so one session's events keep their order only if
 * they never race on several pool connections; here each batch waits for the previous one. Events
 * queued while a batch is in flight go out together in the next one: one statement
 * `SELECT pg_notify(channel, x) FROM json_array_elements_text(batch)` (one transaction, delivered in
 * array order). An event whose envelope is over the NOTIFY limit is stored in `fanout_outbox` first
 * (committed before its reference is notified) and pruned after `retentionMs`.
 */
import type { SQL } from "bun";
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { FanoutEvent } from "../fanout.ts";
import { inlineEnvelope, MAX_NOTIFY_BYTES, refEnvelope, utf8Bytes } from "./fanout-envelope.ts";

/** per statement: at most this many events / about this many bytes */
const BATCH_EVENTS = 500;
const BATCH_BYTES = 1 << 20;
const RETRY_AFTER_MS = 200;

export interface PublisherOptions {
  sql: SQL;
  channel: string;
  origin: string;
  log: Logger;
  clock: () => number;
  maxNotifyBytes?: number;
  /** outbox rows older than this are deleted (default 5 minutes) */
  retentionMs?: number;
  /** prune at most this often (default 60 s; 0: after every outbox write) */
  pruneEveryMs?: number;
  /** events waiting beyond this are dropped and counted as failed (default 50,000) */
  maxQueued?: number;
}

type Item = { sessionKey: string; json: string; n: number };

export class FanoutPublisher {
  readonly counts = { published: 0, sent: 0, viaOutbox: 0, failed: 0 };
  readonly #o: Required<PublisherOptions>;
  #queue: Item[] = [];
  #n = 0;
  #draining: Promise<void> | null = null;
  #lastPrune = 0;
  #lastFailureLog = 0;

  constructor(opts: PublisherOptions) {
    this.#o = { maxNotifyBytes: MAX_NOTIFY_BYTES, retentionMs: 5 * 60_000, pruneEveryMs: 60_000, maxQueued: 50_000, ...opts };
  }

  get queued(): number {
    return this.#queue.length;
  }

  publish(event: FanoutEvent): void {
    this.counts.published++;
    const n = ++this.#n; // a dropped event still takes its number: receivers see the gap
    if (this.#queue.length >= this.#o.maxQueued) {
      this.#fail(1, `more than ${this.#o.maxQueued} events waiting to be sent`);
      return;
    }
    let json: string;
    try {
      json = JSON.stringify(event);
    } catch (err) {
      this.#fail(1, `an event of session ${event.sessionKey} is not serialisable (${errorMessage(err)})`);
      return;
    }
    this.#queue.push({ sessionKey: event.sessionKey, json, n });
    this.#draining ??= this.#drain();
  }

  /** At close, after the grace: what is still queued is dropped (counted as failed), not sent to a closing pool. */
  discard(): void {
    const left = this.#queue.length;
    this.#queue = [];
    if (left > 0) this.#fail(left, "the fan-out closed before they were sent");
  }

  /** Resolves once everything queued so far was sent or failed. */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** Delete outbox rows past the retention; returns how many. */
  async prune(): Promise<number> {
    this.#lastPrune = this.#o.clock();
    const rows = await this.#o.sql.unsafe("DELETE FROM fanout_outbox WHERE created_at < $1", [this.#o.clock() - this.#o.retentionMs]);
    return rows.count ?? 0;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#take();
        try {
          await this.#sendRetrying(batch);
          this.counts.sent += batch.length;
        } catch (err) {
          this.#fail(batch.length, errorMessage(err));
        }
      }
    } finally {
      this.#draining = null;
    }
  }

  #take(): Item[] {
    let bytes = 0;
    let i = 0;
    while (i < this.#queue.length && i < BATCH_EVENTS && bytes < BATCH_BYTES) bytes += this.#queue[i++]!.json.length;
    return this.#queue.splice(0, i);
  }

  /**
   * A failed statement committed nothing, so it is sent once more after a pause: the first query
   * after a server restart fails on the pool's dead connection, and the retry opens a new one. (Were
   * a NOTIFY ever delivered twice, receivers drop the repeat: its counter is not above the last seen.)
   */
  async #sendRetrying(batch: Item[]): Promise<void> {
    try {
      await this.#send(batch);
    } catch {
      await Bun.sleep(RETRY_AFTER_MS);
      await this.#send(batch);
    }
  }

  async #send(batch: Item[]): Promise<void> {
    const { sql, origin, channel } = this.#o;
    const payloads: string[] = [];
    const big: { at: number; it: Item }[] = [];
    for (const it of batch) {
      const inline = inlineEnvelope(origin, it.n, it.json, it.sessionKey);
      if (utf8Bytes(inline) > this.#o.maxNotifyBytes) big.push({ at: payloads.length, it });
      payloads.push(inline);
    }
    if (big.length > 0) {
      // one INSERT for the batch's large events; ids are drawn in `i` order (the sort runs before the
      // defaults are computed), so the ascending ids map back onto `big` in order
      const rows = await sql.unsafe(
        `INSERT INTO fanout_outbox (session_key, payload, created_at)
         SELECT r->>0, r->>1, $2 FROM json_array_elements($1::text::json) WITH ORDINALITY AS t(r, i) ORDER BY i RETURNING id`,
        [JSON.stringify(big.map((b) => [b.it.sessionKey, b.it.json])), this.#o.clock()],
      );
      const ids = (rows as { id: string | number | bigint }[]).map((r) => BigInt(r.id)).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      big.forEach((b, k) => (payloads[b.at] = refEnvelope(origin, b.it.n, b.it.sessionKey, String(ids[k]))));
    }
    await sql.unsafe("SELECT pg_notify($1, x) FROM json_array_elements_text($2::text::json) AS x", [channel, JSON.stringify(payloads)]);
    this.counts.viaOutbox += big.length;
    if (big.length > 0 && this.#o.clock() - this.#lastPrune >= this.#o.pruneEveryMs) {
      await this.prune().catch((err: unknown) => this.#o.log.warn("fan-out: pruning the outbox failed", { error: errorMessage(err) }));
    }
  }

  #fail(count: number, why: string): void {
    this.counts.failed += count;
    const now = this.#o.clock();
    if (now - this.#lastFailureLog < 5000) return; // a database outage fails every batch: one line per 5 s
    this.#lastFailureLog = now;
    this.#o.log.warn(`fan-out: ${count} event(s) not sent to the other nodes (${why}); their clients resume from the log`, { failed: this.counts.failed });
  }
}
