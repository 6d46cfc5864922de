/** Shared timing loop for the benchmarks: warm up, time `n` calls, print median / p95 / p99 and RSS. */
export function quantile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export async function measure(
  name: string,
  n: number,
  fn: () => Promise<unknown> | unknown,
  opts: { warmup?: number; width?: number } = {},
): Promise<void> {
  for (let i = 0; i < (opts.warmup ?? Math.min(5, n)); i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const ms = (p: number) => quantile(times, p).toFixed(3).padStart(8);
  const rss = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
  console.log(`${name.padEnd(opts.width ?? 48)} median ${ms(0.5)} ms   p95 ${ms(0.95)} ms   p99 ${ms(0.99)} ms   rss ${rss} MiB`);
}

/** Warm up with `warmup` calls (given negative indexes), then the times of `n` calls in ms, unsorted. */
export async function timeEach(n: number, fn: (i: number) => Promise<unknown>, warmup = 200): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  return times;
}
