/**
 * Secrets. A secret lives in an `ApiKey` (any credential: provider key, bot token, gateway token);
 * its value is reachable only through `reveal()`. Every other way of turning it into text —
 * `toString`, template strings, `JSON.stringify`, `util.inspect`, `console.log` — gives a mask.
 * Constructing an `ApiKey` also registers its value with `redact()`, so a value that slips into a
 * log line or an error message by another path is masked there too.
 */
import { createHash, timingSafeEqual } from "node:crypto";

const known = new Set<string>();
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

export class ApiKey {
  readonly #value: string;
  constructor(value: string) {
    if (typeof value !== "string" || value.length === 0) throw new TypeError("ApiKey needs a non-empty string");
    this.#value = value;
    if (value.length >= 8) known.add(value);
  }
  /** The raw value. Call only where the secret is sent to the service it belongs to. */
  reveal(): string {
    return this.#value;
  }
  /** `sk-ant-…abcd`: enough to tell keys apart, never enough to use one. */
  get masked(): string {
    return mask(this.#value);
  }
  /**
   * Constant-time comparison (over SHA-256 digests, so neither content nor length leaks): the one
   * way to check a presented secret (gateway token, webhook secret). False for null or "".
   */
  equals(other: ApiKey | string | null | undefined): boolean {
    const o = typeof other === "string" || !other ? other : other.#value;
    if (!o) return false;
    return timingSafeEqual(digest(o), digest(this.#value));
  }
  toString(): string {
    return this.masked;
  }
  toJSON(): string {
    return this.masked;
  }
  [Symbol.toPrimitive](): string {
    return this.masked;
  }
  [INSPECT](): string {
    return `ApiKey(${this.masked})`;
  }
}

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

export function mask(value: string): string {
  if (value.length < 12) return "…";
  const prefix = /^([a-z]{2,6}-(?:[a-z]{2,8}-)?)/i.exec(value)?.[1] ?? "";
  return `${prefix}…${value.slice(-4)}`;
}

/** Register a secret value that is not held in an ApiKey (for example a token read from a file). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 8) known.add(value);
}

const PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{8,}/g, // Anthropic / OpenAI style keys
  /\b\d{6,12}:[A-Za-z0-9_-]{30,}/g, // Telegram bot tokens
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
];
/** the password of a URL's user info (postgres://user:password@host): kept up to the `:`, masked after */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)@/gi;

/** Masks every registered secret and every known token shape. The one function every log sink calls. */
export function redact(text: string): string {
  let out = text;
  for (const value of known) if (out.includes(value)) out = out.split(value).join(mask(value));
  for (const re of PATTERNS) out = out.replace(re, (m) => (m.toLowerCase().startsWith("bearer") ? "Bearer …" : mask(m)));
  return out.replace(URL_PASSWORD, "$1…@");
}

/** Deep-redacts a JSON-like value: ApiKeys become masks, strings pass through `redact`, secret-named keys are masked. */
export function redactValue(value: unknown, keyName = ""): unknown {
  if (value instanceof ApiKey) return value.masked;
  if (typeof value === "string") return isSecretKeyName(keyName) && value.length > 0 ? mask(value) : redact(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, k);
    return out;
  }
  return value;
}

export function isSecretKeyName(key: string): boolean {
  return /(token|apikey|api_key|secret|password)$/i.test(key);
}
