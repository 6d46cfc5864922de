/**
 * The one backoff policy: jittered exponential delays ("equal jitter": half fixed, half random, so
 * waits never collapse to zero), an abortable sleep, and a bounded wait for work in flight.
 * Providers, channels and anything that retries a network call use these, with their own base and
 * cap; shutdowns use `settleWithin`.
 */

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** uniform in [0, 1); injectable for tests */
  random?: () => number;
}

/** Delay before retry number `attempt + 1` (attempt counts from 0). */
export function backoffDelay(attempt: number, o: BackoffOptions): number {
  const cap = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + (o.random ?? Math.random)() * (cap / 2));
}

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects). */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Resolves once every promise has settled or `ms` has passed, whichever is first (never rejects). */
export async function settleWithin(promises: readonly Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([Promise.allSettled(promises), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
