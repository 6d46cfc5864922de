/**
 * The one limiter for guesses at a secret: the gateway's token checks (gateway/gateway.ts) and
 * the Telegram webhook's secret header (channels/telegram/webhook.ts), each with its own numbers.
 * Failures are counted per source and globally. A source is a client address, except that
 * all of loopback (127.0.0.0/8, ::1, their IPv4-mapped forms) is one source — a web page or a
 * sandboxed tool can reach any 127.x address, so rotating through them must buy nothing — and an
 * IPv6 address counts by its /64 (one host usually holds the whole /64).
 *
 * Per source: the first `freeFailures` failures cost nothing; each further failure blocks the
 * source for a doubling delay (base, 2×base, … up to `maxDelayMs`). A success clears the source;
 * a source quiet for `forgetAfterMs` is forgotten; the table is bounded (`maxEntries`).
 *
 * Globally: at most `globalFailures` failures from all sources together within `globalWindowMs`.
 * Once the budget is spent every check is refused until the oldest failure leaves the window,
 * so guessing from many addresses gets no further than guessing from one. While refused (per source
 * or globally) the secret is not looked at, so even the right one gets 429: a refusal that depended
 * on it would tell a guesser when it was right. Attempts refused that way count nowhere.
 */
export interface RateLimitOptions {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
  maxEntries: number;
  globalFailures: number;
  globalWindowMs: number;
  now: () => number;
}

/** The gateway's numbers (a caller with other needs spreads its own over these). */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
  forgetAfterMs: 900_000,
  maxEntries: 10_000,
  globalFailures: 50,
  globalWindowMs: 60_000,
  now: Date.now,
};

interface Entry {
  failures: number;
  blockedUntil: number;
  lastFailure: number;
}

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** The key failures are counted under: `loopback`, an IPv4 address, or an IPv6 /64 prefix. */
export function sourceOf(address: string): string {
  let a = address.trim().toLowerCase().replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(a);
  if (mapped) a = mapped[1]!;
  if (a === "localhost" || a === "::1" || a === "0:0:0:0:0:0:0:1") return "loopback";
  if (IPV4.test(a)) return a.startsWith("127.") ? "loopback" : a;
  if (a.includes(":")) return `${expandV6(a).slice(0, 4).join(":")}::/64`;
  return a;
}

/** An IPv6 address's eight hextets (a zone id dropped); a malformed one yields what it has. */
function expandV6(a: string): string[] {
  const [head = "", tail] = a.split("%")[0]!.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : new Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0");
  return [...left, ...fill, ...right].map((h) => h.replace(/^0+(?=.)/, ""));
}

export class AuthRateLimiter {
  readonly #entries = new Map<string, Entry>();
  /** times of recent failures from every source, oldest first, at most `globalFailures` */
  readonly #recent: number[] = [];
  readonly opts: RateLimitOptions;
  constructor(opts: Partial<RateLimitOptions> = {}) {
    this.opts = { ...DEFAULT_RATE_LIMIT, ...opts };
  }

  /** Milliseconds the address must still wait, 0 when it may try. */
  retryAfterMs(address: string): number {
    const now = this.opts.now();
    const global = this.#globalWait(now);
    const key = sourceOf(address);
    const e = this.#entries.get(key);
    if (!e) return global;
    if (now - e.lastFailure > this.opts.forgetAfterMs) {
      this.#entries.delete(key);
      return global;
    }
    return Math.max(global, e.blockedUntil - now, 0);
  }

  failure(address: string): void {
    const now = this.opts.now();
    this.#recent.push(now);
    if (this.#recent.length > this.opts.globalFailures) this.#recent.splice(0, this.#recent.length - this.opts.globalFailures);
    const key = sourceOf(address);
    let e = this.#entries.get(key);
    if (!e) {
      if (this.#entries.size >= this.opts.maxEntries) this.#evict(now);
      e = { failures: 0, blockedUntil: 0, lastFailure: now };
      this.#entries.set(key, e);
    }
    e.failures++;
    e.lastFailure = now;
    const over = e.failures - this.opts.freeFailures;
    if (over > 0) e.blockedUntil = now + Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** Math.min(over - 1, 30));
  }

  success(address: string): void {
    this.#entries.delete(sourceOf(address));
  }

  size(): number {
    return this.#entries.size;
  }

  #globalWait(now: number): number {
    const window = this.opts.globalWindowMs;
    while (this.#recent.length > 0 && now - this.#recent[0]! >= window) this.#recent.shift();
    if (this.#recent.length < this.opts.globalFailures) return 0;
    return Math.max(1, this.#recent[0]! + window - now);
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
