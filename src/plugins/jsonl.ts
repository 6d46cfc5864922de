/**
 * Newline framing for the plugin transport (model: the MCP TypeScript SDK's `ReadBuffer`): bytes
 * are buffered and split ONLY on `\n` (a `\r` before it is dropped; U+2028 and friends are just
 * characters inside a JSON string), each line decoded as UTF-8 once complete.
 *
 * Bounded, because the other side is untrusted code: a line longer than `maxLineBytes`, more
 * than `maxLines` lines or more than `maxBytes` bytes within `windowMs` (long lines well under the
 * line-count limit would otherwise keep the gateway's thread busy decoding and parsing), is a violation: `onViolation` is called once with the
 * reason and the reader stops delivering anything (the host then kills the plugin). The clock is
 * injectable so the rate rule is tested without wall-clock timing.
 */

export interface LineReaderOptions {
  onLine(line: string): void;
  onViolation(reason: string): void;
  /** default 4 MiB (an AfterToolCall answer may carry an image) */
  maxLineBytes?: number;
  /** default 2000 lines … */
  maxLines?: number;
  /** default 32 MiB … */
  maxBytes?: number;
  /** … per 1000 ms (both limits) */
  windowMs?: number;
  now?: () => number;
}

export const DEFAULT_MAX_LINE_BYTES = 4 << 20;
export const DEFAULT_MAX_LINES = 2000;
export const DEFAULT_MAX_BYTES = 32 << 20;
export const DEFAULT_WINDOW_MS = 1000;

export class LineReader {
  #parts: Uint8Array[] = [];
  #size = 0;
  #windowStart = -Infinity;
  #inWindow = 0;
  #bytesInWindow = 0;
  #stopped = false;
  readonly #o: Required<LineReaderOptions>;
  readonly #decoder = new TextDecoder();

  constructor(o: LineReaderOptions) {
    this.#o = { maxLineBytes: DEFAULT_MAX_LINE_BYTES, maxLines: DEFAULT_MAX_LINES, maxBytes: DEFAULT_MAX_BYTES, windowMs: DEFAULT_WINDOW_MS, now: Date.now, ...o };
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    while (!this.#stopped) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      if (this.#size + (end - start) > this.#o.maxLineBytes) {
        return this.#violate(`a line longer than ${this.#o.maxLineBytes} bytes`);
      }
      if (end > start) {
        this.#parts.push(chunk.subarray(start, end));
        this.#size += end - start;
      }
      if (nl === -1) return;
      this.#emit();
      start = nl + 1;
    }
  }

  #emit(): void {
    const bytes = this.#parts.length === 1 ? this.#parts[0]! : concat(this.#parts, this.#size);
    this.#parts = [];
    this.#size = 0;
    const now = this.#o.now();
    if (now - this.#windowStart >= this.#o.windowMs) {
      this.#windowStart = now;
      this.#inWindow = 0;
      this.#bytesInWindow = 0;
    }
    if (++this.#inWindow > this.#o.maxLines) return this.#violate(`more than ${this.#o.maxLines} lines within ${this.#o.windowMs} ms`);
    this.#bytesInWindow += bytes.length;
    if (this.#bytesInWindow > this.#o.maxBytes) return this.#violate(`more than ${this.#o.maxBytes} bytes within ${this.#o.windowMs} ms`);
    let line = this.#decoder.decode(bytes);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line.trim() !== "") this.#o.onLine(line);
  }

  #violate(reason: string): void {
    this.#stopped = true;
    this.#parts = [];
    this.#size = 0;
    this.#o.onViolation(reason);
  }
}

/** One frame: the JSON text and its `\n`. */
export function frame(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
