/**
 * Long polling. One poller per bot token in this process (a second one is refused). Each batch is
 * stored through `onUpdates` before the offset moves past it, so a crash never drops an update
 * (Telegram confirms an update only when a later getUpdates asks for a higher offset); the offset is
 * also kept in the store so a restart resumes where it stopped.
 * - 409 Conflict (another poller, or a webhook is set): reported in `state`/`lastError` and the
 *   loop stops; it does not fight the other instance.
 * - A poll that does not complete within `watchdogMs` is aborted and restarted (`restarts`).
 * - 429 waits retry_after; network and 5xx errors back off (bounded, jittered); 401 stops.
 */
import type { Api } from "grammy";
import type { Update } from "grammy/types";
import { ConflictError, errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { classifyTelegramError } from "./send.ts";

export type PollerState = "idle" | "running" | "conflict" | "unauthorized" | "stopped";

export interface PollerOptions {
  api: Api;
  /** identifies the token for the one-poller-per-token guard (bot id) */
  tokenId: string;
  log: Logger;
  timeoutSeconds: number;
  watchdogMs: number;
  allowedUpdates: string[];
  loadOffset: () => Promise<number | undefined>;
  saveOffset: (offset: number) => Promise<void>;
  /** store the batch durably; throw to retry it */
  onUpdates: (updates: Update[]) => Promise<void>;
}

const active = new Set<string>();

export class Poller {
  readonly #o: PollerOptions;
  state: PollerState = "idle";
  lastError: string | undefined;
  restarts = 0;
  lastPollAt = 0;
  #stop = new AbortController();
  #ac: AbortController | null = null;
  #loop: Promise<void> | null = null;

  constructor(opts: PollerOptions) {
    this.#o = opts;
  }

  start(): void {
    if (this.#loop) return;
    if (active.has(this.#o.tokenId)) throw new ConflictError("a Telegram poller for this bot token is already running in this process");
    active.add(this.#o.tokenId);
    this.state = "running";
    this.#loop = this.#run().finally(() => active.delete(this.#o.tokenId));
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    this.#ac?.abort();
    await this.#loop;
    if (this.state === "running") this.state = "stopped";
  }

  async #sleep(ms: number): Promise<void> {
    if (this.#stop.signal.aborted) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#stop.signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
    });
  }

  async #run(): Promise<void> {
    const o = this.#o;
    let offset = await o.loadOffset().catch(() => undefined);
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      const ac = new AbortController();
      this.#ac = ac;
      let stalled = false;
      const watchdog = setTimeout(() => {
        stalled = true;
        ac.abort();
      }, o.watchdogMs);
      let updates: Update[];
      try {
        updates = await o.api.getUpdates({ offset, timeout: o.timeoutSeconds, limit: 100, allowed_updates: o.allowedUpdates as never }, ac.signal as never);
      } catch (err) {
        clearTimeout(watchdog);
        if (this.#stop.signal.aborted) break;
        if (stalled) {
          this.restarts++;
          o.log.warn("telegram poll stalled; restarting it", { watchdogMs: o.watchdogMs, restarts: this.restarts });
          continue;
        }
        const f = classifyTelegramError(err);
        this.lastError = f.description;
        if (f.kind === "conflict") {
          this.state = "conflict";
          o.log.error("telegram polling stopped: another instance is polling this bot (or a webhook is set); stop it, then restart", { detail: f.description });
          break;
        }
        if (f.kind === "unauthorized") {
          this.state = "unauthorized";
          o.log.error("telegram polling stopped: the bot token was rejected (401)");
          break;
        }
        failures++;
        const wait = f.kind === "rate_limited" ? f.retryAfterMs! : Math.min(30_000, 500 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2);
        o.log.warn("telegram poll failed; retrying", { kind: f.kind, waitMs: Math.round(wait) });
        await this.#sleep(wait);
        continue;
      }
      clearTimeout(watchdog);
      this.lastPollAt = Date.now();
      failures = 0;
      if (updates.length === 0) continue;
      try {
        await o.onUpdates(updates);
        offset = updates[updates.length - 1]!.update_id + 1;
        await o.saveOffset(offset);
      } catch (err) {
        this.lastError = errorMessage(err);
        o.log.error("telegram: could not store updates; will fetch them again", { err: this.lastError });
        await this.#sleep(1000);
      }
    }
    this.#ac = null;
  }
}
