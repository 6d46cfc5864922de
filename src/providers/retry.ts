/**
 * The one retry policy both providers share (the SDK's own retries are switched off). An attempt
 * is a provider stream that ends with a `stop` event; when that stop is a retryable failure and no
 * model output (text, thinking, tool call) has reached the caller yet, the attempt is repeated after
 * a jittered exponential backoff, or after exactly what `retry-after-ms` / `retry-after` asked for.
 * Non-output events (`start`, `usage`) are held back until the first output so a failed attempt
 * leaves no trace. A `retry-after` longer than `maxRetryAfterMs` is not waited for: the failure is
 * returned at once so a fallback model can take over. Abort during the wait → `aborted`.
 */
import { abortableSleep, backoffDelay, type Sleep } from "../core/backoff.ts";
import type { Logger } from "../core/log.ts";
import type { ProviderEvent } from "./types.ts";
import { abortedStop, errorStop, failure, type AttemptFailure } from "./failure.ts";
import { forwardAttempt } from "./forward.ts";

export interface RetrySettings {
  /** retries after the first attempt (default 3) */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** a server-requested wait longer than this is not honoured by waiting; the failure is returned */
  maxRetryAfterMs: number;
  /** injectable for tests (fake clock) */
  sleep: Sleep;
  /** injectable for tests; uniform in [0, 1) */
  random: () => number;
}

export const DEFAULT_RETRY: RetrySettings = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  sleep: abortableSleep,
  random: Math.random,
};

export function retrySettings(overrides?: Partial<RetrySettings>, maxRetries?: number): RetrySettings {
  const s = { ...DEFAULT_RETRY, ...overrides };
  if (maxRetries !== undefined) s.maxRetries = maxRetries;
  return s;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined> | null | undefined;

function header(h: HeaderSource, name: string): string | undefined {
  if (!h) return undefined;
  if (typeof (h as Headers).get === "function") return (h as Headers).get(name) ?? undefined;
  const rec = h as Record<string, string | string[] | undefined>;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : rec[key];
  return Array.isArray(v) ? v[0] : v;
}

/** `retry-after-ms` (milliseconds), else `retry-after` as seconds or an HTTP date. */
export function parseRetryAfter(headers: HeaderSource, nowMs: number = Date.now()): number | undefined {
  const ms = header(headers, "retry-after-ms");
  if (ms !== undefined && ms.trim() !== "" && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const ra = header(headers, "retry-after")?.trim();
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Math.round(Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Delay before retry number `attempt + 1`, or `undefined` when the server asks for too long a wait. */
export function retryDelay(attempt: number, s: RetrySettings, retryAfterMs?: number): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs > s.maxRetryAfterMs ? undefined : retryAfterMs;
  return backoffDelay(attempt, { baseMs: s.baseDelayMs, maxMs: s.maxDelayMs, random: s.random });
}

export type Attempt = (attempt: number) => AsyncIterable<ProviderEvent>;

/** Runs `attempt` until it succeeds, fails for good, or output has been yielded. Never throws. */
export async function* withRetries(run: Attempt, s: RetrySettings, signal: AbortSignal | undefined, log?: Logger): AsyncGenerator<ProviderEvent> {
  for (let n = 0; ; n++) {
    const { stop: ended, output, held } = yield* forwardAttempt(run(n));
    let stop = ended ?? errorStop(failure("malformed", "provider stream ended without a stop event", false));
    const err = stop.error as AttemptFailure | undefined;
    if (stop.stopReason === "error" && err?.retryable && !output && n < s.maxRetries && !signal?.aborted) {
      const delay = retryDelay(n, s, err.retryAfterMs);
      if (delay !== undefined) {
        log?.warn("provider attempt failed; retrying", { kind: err.kind, status: err.status, attempt: n + 1, delayMs: delay });
        await s.sleep(delay, signal);
        if (signal?.aborted) {
          yield abortedStop();
          return;
        }
        continue;
      }
    }
    yield* held;
    if (err && "retryAfterMs" in err) {
      const { retryAfterMs: _drop, ...clean } = err;
      stop = { ...stop, error: clean };
    }
    yield stop;
    return;
  }
}
