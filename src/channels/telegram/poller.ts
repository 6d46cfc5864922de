/**
 * Long polling, on @grammyjs/runner's source and runner with our own supplier and a durable sink.
 * - The sink stores each batch (`onUpdates`, the inbox) before the offset moves past it. The
 *   runner asks the source for the next batch only after the sink returned, so a crash never drops
 *   an update (Telegram confirms an update only when a later getUpdates asks for a higher offset).
 *   The offset is also kept in the store, so a restart resumes where it stopped.
 * - The supplier (one getUpdates): a poll that does not complete within `watchdogMs` is aborted and
 *   restarted (`restarts`); network and 5xx failures back off (core/backoff, `retrying`, unbounded in
 *   count but capped in delay: a poller outlives a network outage); 409 Conflict (another poller,
 *   or a webhook) and 401 stop the loop, reported in `state`/`lastError`.
 * The runner's own fetcher is not used: it starts at offset 0, retries 401-free errors for 15 hours
 * with unabortable sleeps, and logs to the console.
 */
import { createRunner, createSource, type RunnerHandle, type UpdateSink, type UpdateSupplier } from "@grammyjs/runner";
import type { Api } from "grammy";
import type { Update } from "grammy/types";
import { backoffDelay } from "../../core/backoff.ts";
import { ConflictError, errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { realClock, type Clock } from "./clock.ts";
import { classifyTelegramError } from "./send.ts";

export type PollerState = "idle" | "running" | "retrying" | "conflict" | "unauthorized" | "stopped";

export interface PollerOptions {
  api: Api;
  log: Logger;
  timeoutSeconds: number;
  watchdogMs: number;
  allowedUpdates: string[];
  loadOffset: () => Promise<number | undefined>;
  saveOffset: (offset: number) => Promise<void>;
  /** store the batch durably; throw to fetch it again */
  onUpdates: (updates: Update[]) => Promise<void>;
  clock?: Clock;
}

const active = new Set<string>();

/** The one-poller-per-token guard (keyed by bot id). Throws ConflictError when taken; returns the release. */
export function claimPolling(tokenId: string): () => void {
  if (active.has(tokenId)) throw new ConflictError("a Telegram poller for this bot token is already running in this process; stop the other gateway or channel first");
  active.add(tokenId);
  return () => void active.delete(tokenId);
}

class Stop extends Error {}

export class Poller {
  readonly #o: PollerOptions;
  readonly #clock: Clock;
  state: PollerState = "idle";
  lastError: string | undefined;
  restarts = 0;
  lastPollAt = 0;
  #offset: number | undefined;
  #runner: RunnerHandle | null = null;
  #stop = new AbortController();
  /** settles when the loop has ended (stop, conflict, refused token) */
  done: Promise<void> = Promise.resolve();

  constructor(opts: PollerOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
  }

  async start(): Promise<void> {
    if (this.#runner) return;
    this.#offset = await this.#o.loadOffset().catch(() => undefined);
    this.state = "running";
    const supplier: UpdateSupplier<Update> = { supply: (_n, signal) => this.#supply(signal as unknown as AbortSignal) };
    const runner = createRunner(createSource(supplier), this.#sink());
    this.#runner = runner;
    runner.start();
    this.done = (runner.task() ?? Promise.resolve()).catch((err) => {
      if (!(err instanceof Stop)) {
        this.lastError = errorMessage(err);
        this.#o.log.error("telegram polling ended unexpectedly", { err: this.lastError });
      }
    });
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.resolve(this.#runner?.stop()).catch(() => undefined);
    await this.done;
    if (this.state === "running" || this.state === "retrying") this.state = "stopped";
  }

  async #supply(signal: AbortSignal): Promise<Update[]> {
    const o = this.#o;
    for (let failures = 0; ; ) {
      const watchdog = new AbortController();
      const timer = setTimeout(() => watchdog.abort(), o.watchdogMs);
      try {
        const updates = await o.api.getUpdates(
          { offset: this.#offset, timeout: o.timeoutSeconds, limit: 100, allowed_updates: o.allowedUpdates as never },
          AbortSignal.any([signal, watchdog.signal]) as never,
        );
        this.state = "running";
        this.lastPollAt = this.#clock.now();
        return updates;
      } catch (err) {
        if (signal.aborted) throw err;
        if (watchdog.signal.aborted) {
          this.restarts++;
          o.log.warn("telegram poll stalled; restarting it", { watchdogMs: o.watchdogMs, restarts: this.restarts });
          continue;
        }
        const f = classifyTelegramError(err);
        this.lastError = f.description;
        if (f.kind === "conflict") {
          this.state = "conflict";
          o.log.error("telegram polling stopped: another instance is polling this bot (or a webhook is set); stop it, then restart", { detail: f.description });
          throw new Stop();
        }
        if (f.kind === "unauthorized") {
          this.state = "unauthorized";
          o.log.error("telegram polling stopped: the bot token was rejected (401)");
          throw new Stop();
        }
        this.state = "retrying";
        const wait = f.kind === "rate_limited" ? f.retryAfterMs! : backoffDelay(failures++, { baseMs: 500, maxMs: 30_000 });
        o.log.warn("telegram poll failed; retrying", { kind: f.kind, waitMs: wait });
        await this.#clock.sleep(wait, signal);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** Stores a batch, then moves the offset past it; a storage failure leaves the offset (fetched again). */
  #sink(): UpdateSink<Update> {
    let failures = 0;
    return {
      handle: async (updates) => {
        if (updates.length === 0) return 100;
        try {
          await this.#o.onUpdates(updates);
          this.#offset = updates[updates.length - 1]!.update_id + 1;
          failures = 0;
          await this.#o.saveOffset(this.#offset);
        } catch (err) {
          this.lastError = errorMessage(err);
          this.#o.log.error("telegram: could not store updates; will fetch them again", { err: this.lastError });
          await this.#clock.sleep(backoffDelay(failures++, { baseMs: 500, maxMs: 10_000 }), this.#stop.signal);
        }
        return 100;
      },
      size: () => 0,
      snapshot: () => [],
    };
  }
}
