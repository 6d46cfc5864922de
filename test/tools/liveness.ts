// Liveness probe for tools that must not stall the event loop: a main-thread interval ticks while
// `work` runs, and the result reports how many ticks ran and the longest gap between two of them
// (also the gap from the start to the first tick and from the last tick to the end). A blocked
// loop shows as one gap as long as the block. A liveness check, not a speed target: tests assert
// the gap stays under a second, far above any normal scheduling delay.
export interface Liveness<T> {
  value: T;
  ticks: number;
  maxGapMs: number;
}

export async function whileTicking<T>(work: () => Promise<T>, everyMs = 5): Promise<Liveness<T>> {
  let last = performance.now();
  let maxGapMs = 0;
  let ticks = 0;
  const mark = () => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  };
  const timer = setInterval(() => {
    ticks++;
    mark();
  }, everyMs);
  try {
    const value = await work();
    mark();
    return { value, ticks, maxGapMs };
  } finally {
    clearInterval(timer);
  }
}
