/**
 * The transformers every Bot API call goes through (grammY API transformers, innermost first):
 *   1. a counter of 429 answers (for `status`), which sees every raw answer;
 *   2. @grammyjs/auto-retry: waits Telegram's `retry_after` (up to `maxDelaySeconds`) and retries
 *      5xx, a bounded number of times. Network failures are rethrown (`rethrowHttpErrors`): the
 *      plugin would retry those forever; `TelegramSender.call` retries them with core/backoff.
 * Every request also has grammY's `timeoutSeconds` (set where the Bot is built).
 */
import { autoRetry } from "@grammyjs/auto-retry";
import type { Api } from "grammy";

export interface ApiCounters {
  rateLimited: number;
}

export interface RetryPolicy {
  /** retries after a 429 or a 5xx (default 3) */
  maxRetryAttempts?: number;
  /** the longest retry_after worth waiting for (default 60 s); a longer one fails the call */
  maxDelaySeconds?: number;
}

export function installTransformers(api: Api, counters: ApiCounters, policy: RetryPolicy = {}): void {
  api.config.use(async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    if (!res.ok && res.error_code === 429) counters.rateLimited++;
    return res;
  });
  api.config.use(autoRetry({
    maxRetryAttempts: policy.maxRetryAttempts ?? 3,
    maxDelaySeconds: policy.maxDelaySeconds ?? 60,
    rethrowHttpErrors: true,
    rethrowInternalServerErrors: false,
  }));
}
