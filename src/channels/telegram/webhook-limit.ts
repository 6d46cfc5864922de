/**
 * Limits guesses at the webhook secret. Failed checks are counted in fixed windows, per source
 * address and over all sources: past `perSource` failures from one address, or `global` from all
 * of them, in one window, every request from there (or from anyone) is answered 429 with
 * `retry-after` until the window ends, before the secret is looked at. A correct secret works
 * again once the window is over. The table of sources is bounded (`maxSources`, oldest dropped).
 */
export interface WebhookLimitOptions {
  perSource: number;
  global: number;
  windowMs: number;
  maxSources: number;
  now: () => number;
}

export const DEFAULT_WEBHOOK_LIMITS: WebhookLimitOptions = { perSource: 5, global: 50, windowMs: 60_000, maxSources: 10_000, now: () => Date.now() };

interface Window {
  start: number;
  failures: number;
}

export class SecretFailureLimiter {
  readonly #o: WebhookLimitOptions;
  readonly #sources = new Map<string, Window>();
  #global: Window = { start: 0, failures: 0 };

  constructor(opts: Partial<WebhookLimitOptions> = {}) {
    this.#o = { ...DEFAULT_WEBHOOK_LIMITS, ...opts };
  }

  /** Milliseconds until `source` may try again; 0 when it may try now. */
  retryAfterMs(source: string): number {
    const now = this.#o.now();
    const wait = (w: Window | undefined, max: number) => (w && now - w.start < this.#o.windowMs && w.failures >= max ? w.start + this.#o.windowMs - now : 0);
    return Math.max(wait(this.#sources.get(source), this.#o.perSource), wait(this.#global, this.#o.global));
  }

  failure(source: string): void {
    const now = this.#o.now();
    this.#global = this.#bump(this.#global, now);
    let w = this.#sources.get(source);
    if (!w) {
      if (this.#sources.size >= this.#o.maxSources) this.#evict(now);
      w = { start: now, failures: 0 };
    } else this.#sources.delete(source); // re-insert: the Map stays ordered by last failure
    this.#sources.set(source, this.#bump(w, now));
  }

  get sources(): number {
    return this.#sources.size;
  }

  #bump(w: Window, now: number): Window {
    if (now - w.start >= this.#o.windowMs) return { start: now, failures: 1 };
    w.failures++;
    return w;
  }

  #evict(now: number): void {
    for (const [k, w] of this.#sources) if (now - w.start >= this.#o.windowMs) this.#sources.delete(k);
    for (const k of this.#sources.keys()) {
      if (this.#sources.size < this.#o.maxSources) break;
      this.#sources.delete(k);
    }
  }
}
