/**
 * Failed-auth rate limiting per client address, loopback included (a web page or a sandboxed tool
 * can reach 127.0.0.1). The first `freeFailures` failures cost nothing; each further failure blocks
 * the address for a doubling delay (base, 2×base, … up to `maxDelayMs`). While blocked, every
 * attempt from that address is refused with 429 before the token is looked at. A success clears
 * the address; an address quiet for `forgetAfterMs` is forgotten. The table is bounded.
 */
export interface RateLimitOptions {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
  maxEntries: number;
  now: () => number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
  forgetAfterMs: 900_000,
  maxEntries: 10_000,
  now: Date.now,
};

interface Entry {
  failures: number;
  blockedUntil: number;
  lastFailure: number;
}

export class AuthRateLimiter {
  readonly #entries = new Map<string, Entry>();
  readonly opts: RateLimitOptions;
  constructor(opts: Partial<RateLimitOptions> = {}) {
    this.opts = { ...DEFAULT_RATE_LIMIT, ...opts };
  }

  /** Milliseconds the address must still wait, 0 when it may try. */
  retryAfterMs(address: string): number {
    const e = this.#entries.get(address);
    if (!e) return 0;
    const now = this.opts.now();
    if (now - e.lastFailure > this.opts.forgetAfterMs) {
      this.#entries.delete(address);
      return 0;
    }
    return Math.max(0, e.blockedUntil - now);
  }

  failure(address: string): void {
    const now = this.opts.now();
    let e = this.#entries.get(address);
    if (!e) {
      if (this.#entries.size >= this.opts.maxEntries) this.#evict(now);
      e = { failures: 0, blockedUntil: 0, lastFailure: now };
      this.#entries.set(address, e);
    }
    e.failures++;
    e.lastFailure = now;
    const over = e.failures - this.opts.freeFailures;
    if (over > 0) e.blockedUntil = now + Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** Math.min(over - 1, 30));
  }

  success(address: string): void {
    this.#entries.delete(address);
  }

  size(): number {
    return this.#entries.size;
  }

  #evict(now: number): void {
    for (const [k, e] of this.#entries) if (now - e.lastFailure > this.opts.forgetAfterMs || e.blockedUntil < now) this.#entries.delete(k);
    // Still full: drop the oldest entries (Map iterates in insertion order).
    for (const k of this.#entries.keys()) {
      if (this.#entries.size < this.opts.maxEntries) break;
      this.#entries.delete(k);
    }
  }
}
