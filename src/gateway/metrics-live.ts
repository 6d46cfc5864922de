/**
 * The live figures the dashboard's overview polls (`metrics.snapshot`): messages per second, turn
 * latency quantiles, and a time series sampled every 5 s. Memory is fixed whatever the traffic:
 * the latency window keeps the last `LATENCY_WINDOW` turns (exact quantiles over them, sorted on
 * demand: 1,000 numbers every 5 s costs nothing), the series the last `SERIES_CAPACITY` samples
 * (30 minutes at 5 s).
 *
 * A "message" is a user message that started a run, from any source (JSON-RPC, the OpenAI API,
 * Telegram): the runtime's `run_started` events. Times are passed in (or come from the injected
 * clock), so tests drive the series without waiting.
 */
export const LATENCY_WINDOW = 1_000;
export const SERIES_CAPACITY = 360;
export const SAMPLE_INTERVAL_MS = 5_000;

/** The last `size` observations, for exact quantiles over a recent window. */
export class LatencyWindow {
  readonly #values: number[] = [];
  #next = 0;
  /** every observation since start, not only the window's */
  count = 0;
  constructor(readonly size = LATENCY_WINDOW) {}

  observe(ms: number): void {
    this.count++;
    if (this.#values.length < this.size) this.#values.push(ms);
    else this.#values[this.#next] = ms;
    this.#next = (this.#next + 1) % this.size;
  }

  /** Nearest-rank quantile (0 < q ≤ 1) of the window, or null before the first observation. */
  quantile(q: number): number | null {
    if (this.#values.length === 0) return null;
    const sorted = [...this.#values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  }
}

export interface Sample {
  t: number;
  rssBytes: number;
  messagesPerSec: number;
  runsInFlight: number;
}

export interface SeriesColumns {
  t: number[];
  rssBytes: number[];
  messagesPerSec: number[];
  runsInFlight: number[];
}

/** What a sample reads from the process at sampling time. */
export type Probe = () => { rssBytes: number; runsInFlight: number };

export class LiveMetrics {
  messages = 0;
  readonly latency = new LatencyWindow();
  readonly #series: Sample[] = [];
  #last: { t: number; messages: number };
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly now: () => number = Date.now,
    readonly capacity = SERIES_CAPACITY,
  ) {
    this.#last = { t: now(), messages: 0 };
  }

  /** Take one sample at `t`: messages/s since the previous sample (or since start), plus the probe's readings. */
  sample(probe: Probe, t = this.now()): Sample {
    const dt = (t - this.#last.t) / 1000;
    const rate = dt > 0 ? (this.messages - this.#last.messages) / dt : 0;
    this.#last = { t, messages: this.messages };
    const s: Sample = { t, messagesPerSec: Math.round(rate * 1000) / 1000, ...probe() };
    this.#series.push(s);
    if (this.#series.length > this.capacity) this.#series.splice(0, this.#series.length - this.capacity);
    return s;
  }

  /** The rate of the latest sample; 0 before the first. */
  messagesPerSec(): number {
    return this.#series.at(-1)?.messagesPerSec ?? 0;
  }

  columns(): SeriesColumns {
    const s = this.#series;
    return { t: s.map((x) => x.t), rssBytes: s.map((x) => x.rssBytes), messagesPerSec: s.map((x) => x.messagesPerSec), runsInFlight: s.map((x) => x.runsInFlight) };
  }

  /** Sample every `intervalMs` on a timer that does not keep the process alive. */
  start(probe: Probe, intervalMs = SAMPLE_INTERVAL_MS): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.sample(probe), intervalMs);
    this.#timer.unref?.();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
