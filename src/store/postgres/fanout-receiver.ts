/**
 * The receiving half of the PostgreSQL fan-out: turns channel payloads into events for the
 * listeners, per session in the order they arrived. An inline event goes out at once unless its
 * session is waiting on an outbox fetch; a reference is fetched (`fanout_outbox` by id, started at
 * once and coalesced with the other fetches of the tick: fanout-fetcher.ts) and everything of that
 * session behind it waits for it; other sessions do not. Own envelopes (same origin) are dropped. A gap
 * in an origin's counter means missed events (the LISTEN connection was down): counted as lost; a
 * number already seen is a repeat and dropped.
 */
import type { SQL } from "bun";
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { FanoutEvent } from "../fanout.ts";
import { type Envelope, parseEnvelope } from "./fanout-envelope.ts";
import { type Fetched, OutboxFetcher } from "./fanout-fetcher.ts";

/** origins remembered for gap detection (a node restarts with a new origin) */
const MAX_ORIGINS = 1000;
/** events of one session waiting behind an outbox fetch */
const MAX_WAITING = 10_000;

type Item = { env: Envelope; fetched?: Promise<Fetched> };

export class FanoutReceiver {
  readonly counts = { received: 0, lost: 0, foreign: 0, repeats: 0 };
  readonly #listeners = new Set<(event: FanoutEvent) => void>();
  /** sessions with an outbox fetch in flight: what waits behind it */
  readonly #waiting = new Map<string, Item[]>();
  readonly #lastN = new Map<string, number>();
  readonly #fetcher: OutboxFetcher;
  #closed = false;

  constructor(private readonly o: { sql: SQL; origin: string; log: Logger }) {
    this.#fetcher = new OutboxFetcher(o.sql);
  }

  on(listener: (event: FanoutEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#closed = true;
    this.#waiting.clear();
    this.#fetcher.close();
  }

  /** The LISTEN callback. Never throws. */
  onPayload(payload: string): void {
    if (this.#closed) return;
    const env = parseEnvelope(payload);
    if (!env) {
      this.counts.foreign++;
      return;
    }
    if (env.o === this.o.origin) return;
    if (!this.#countGap(env)) return; // a repeat (a batch sent again after an error)
    const queue = this.#waiting.get(env.s);
    if (!queue && "e" in env) return this.#deliver(env.e);
    if (queue && queue.length >= MAX_WAITING) {
      this.counts.lost++; // a fetch that does not come back must not grow memory
      return;
    }
    const item: Item = "r" in env ? { env, fetched: this.#fetcher.get(env.r) } : { env };
    if (queue) queue.push(item);
    else {
      this.#waiting.set(env.s, [item]);
      void this.#pump(env.s);
    }
  }

  /**
   * One origin's envelopes arrive in its counter's order (one sending connection, commit order): a
   * jump means missed events (counted lost), a number not above the last one a repeat (false: drop).
   */
  #countGap(env: Envelope): boolean {
    const last = this.#lastN.get(env.o);
    if (last !== undefined && env.n <= last) {
      this.counts.repeats++;
      return false;
    }
    if (last !== undefined && env.n > last + 1) this.counts.lost += env.n - last - 1;
    this.#lastN.delete(env.o); // re-insert: the map's order is least recently heard first
    this.#lastN.set(env.o, env.n);
    if (this.#lastN.size > MAX_ORIGINS) this.#lastN.delete(this.#lastN.keys().next().value!);
    return true;
  }

  /** Work through a session's queue in order, awaiting each fetch in turn; the queue ends when it is empty. */
  async #pump(sessionKey: string): Promise<void> {
    const queue = this.#waiting.get(sessionKey)!;
    while (queue.length > 0 && !this.#closed) {
      const { env, fetched } = queue[0]!;
      if ("e" in env) this.#deliver(env.e);
      else {
        const ev = this.#fetchedEvent(await fetched!, env.r, sessionKey);
        if (ev && !this.#closed) this.#deliver(ev);
      }
      queue.shift();
    }
    this.#waiting.delete(sessionKey);
  }

  #fetchedEvent(r: Fetched, id: string, sessionKey: string): FanoutEvent | null {
    if (this.#closed) return null;
    if ("payload" in r) {
      try {
        const ev = JSON.parse(r.payload) as FanoutEvent;
        if (ev?.sessionKey === sessionKey) return ev;
      } catch {
        // falls through: not an event of this session
      }
      this.counts.lost++; // never deliver a row under another session's key
      this.o.log.error("fan-out: an outbox row is not an event of its session; dropped", { sessionKey, outboxId: id });
      return null;
    }
    this.counts.lost++;
    if ("missing" in r) this.o.log.warn("fan-out: a large event is no longer in the outbox (pruned); its clients resume from the log", { sessionKey, outboxId: id });
    else this.o.log.warn(`fan-out: could not read a large event from the outbox (${r.failed}); its clients resume from the log`, { sessionKey, outboxId: id });
    return null;
  }

  #deliver(event: FanoutEvent): void {
    this.counts.received++;
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch (err) {
        this.o.log.error("fan-out: a remote event listener failed", { error: errorMessage(err) });
      }
    }
  }
}
