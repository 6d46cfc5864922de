/**
 * Frames held back on one connection while a request is being handled (so a client sees a
 * `chat.send` answer before that run's events). Capped by count and by bytes: a few huge events
 * must not pile up in memory any more than many small ones. `push` says when a cap is passed; the
 * connection then drops the client, as it does for one that stops reading.
 */
export interface HoldLimits {
  maxCount: number;
  maxBytes: number;
}

export class HoldQueue {
  #items: string[] = [];
  #bytes = 0;
  constructor(private readonly limits: () => HoldLimits) {}

  /** Hold `text`; false when that passes the count or byte cap (the text is not kept). */
  push(text: string): boolean {
    const { maxCount, maxBytes } = this.limits();
    const bytes = Buffer.byteLength(text);
    if (this.#items.length + 1 > maxCount || this.#bytes + bytes > maxBytes) return false;
    this.#items.push(text);
    this.#bytes += bytes;
    return true;
  }

  /** Everything held, oldest first; the queue is empty afterwards. */
  drain(): string[] {
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    return items;
  }

  get size(): number {
    return this.#items.length;
  }

  get bytes(): number {
    return this.#bytes;
  }
}
