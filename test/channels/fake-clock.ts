// A manual clock for timing tests: time moves only when the test calls advance(), and every sleep
// is a timer that fires then, in order. Nothing here depends on how busy the machine is.
import type { Clock } from "../../src/channels/telegram/clock.ts";

interface Timer {
  at: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  #now: number;
  #timers: Timer[] = [];

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now = (): number => this.#now;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = { at: this.#now + Math.max(0, ms), resolve };
      this.#timers.push(timer);
      signal?.addEventListener("abort", () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        resolve();
      }, { once: true });
    });

  /** Sleeps not yet due. */
  get pending(): number {
    return this.#timers.length;
  }

  /** The time the next sleep is due, or undefined. */
  get nextAt(): number | undefined {
    return this.#timers.reduce<number | undefined>((m, t) => (m === undefined || t.at < m ? t.at : m), undefined);
  }

  /** Move time forward by `ms`, firing every sleep that falls due (earliest first). */
  advance(ms: number): void {
    this.#now += ms;
    const due = this.#timers.filter((t) => t.at <= this.#now).sort((a, b) => a.at - b.at);
    this.#timers = this.#timers.filter((t) => t.at > this.#now);
    for (const t of due) t.resolve();
  }
}
