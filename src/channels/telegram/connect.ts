/**
 * The first contact with the Bot API (getMe, then setWebhook or deleteWebhook), run in the
 * background by `TelegramChannel.start()` so an unreachable API never holds up the gateway.
 * Each attempt has its own timeout; failures retry with core/backoff up to `maxAttempts`, each one
 * logged with the API host (never the URL: it holds the bot token). A refused token (401) is not
 * retried. `signal` (stop()) aborts the request in flight and the wait between attempts.
 */
import { backoffDelay } from "../../core/backoff.ts";
import type { Logger } from "../../core/log.ts";
import type { Clock } from "./clock.ts";
import { classifyTelegramError } from "./send.ts";

export interface ConnectOptions {
  log: Logger;
  /** the API host, for log lines */
  host: string;
  clock: Clock;
  /** attempts before giving up (state `failed`) */
  maxAttempts: number;
  /** one attempt's time limit */
  attemptTimeoutMs: number;
  /** backoff between attempts */
  baseDelayMs: number;
  maxDelayMs: number;
  /** a failed attempt that will be retried */
  onRetry: (lastError: string) => void;
}

export type ConnectResult = { ok: true } | { ok: false; reason: "stopped" } | { ok: false; reason: "failed"; lastError: string };

export async function connectWithRetries(o: ConnectOptions, attempt: (signal: AbortSignal) => Promise<void>, signal: AbortSignal): Promise<ConnectResult> {
  for (let n = 0; ; n++) {
    if (signal.aborted) return { ok: false, reason: "stopped" };
    try {
      await attempt(AbortSignal.any([signal, AbortSignal.timeout(o.attemptTimeoutMs)]));
      return { ok: true };
    } catch (err) {
      if (signal.aborted) return { ok: false, reason: "stopped" };
      const f = classifyTelegramError(err);
      if (f.kind === "unauthorized") {
        const lastError = `the bot token was refused (${f.description}); fix channels.telegram.botToken (or tokenFile / TELEGRAM_BOT_TOKEN) and restart`;
        o.log.error("telegram: cannot connect", { host: o.host, err: lastError });
        return { ok: false, reason: "failed", lastError };
      }
      const lastError = `${f.description} (${o.host})`;
      if (n + 1 >= o.maxAttempts) {
        o.log.error("telegram: cannot connect; giving up until the gateway restarts", { host: o.host, attempts: n + 1, err: f.description });
        return { ok: false, reason: "failed", lastError };
      }
      const waitMs = f.kind === "rate_limited" && f.retryAfterMs ? f.retryAfterMs : backoffDelay(n, { baseMs: o.baseDelayMs, maxMs: o.maxDelayMs });
      o.log.warn("telegram: connect failed; retrying", { host: o.host, attempt: n + 1, of: o.maxAttempts, waitMs, err: f.description });
      o.onRetry(lastError);
      await o.clock.sleep(waitMs, signal);
    }
  }
}
