/**
 * Cooperative time slicing for CPU-bound tool loops (glob and grep matching). A tool runs in the
 * gateway's event loop; a loop that never awaits keeps every timer — the tool's own timeout, health
 * checks, other sessions — from running. `timeSlicer()` returns `slice()`, which a loop awaits on
 * every item: it costs nothing until `sliceMs` of work has gone by, then yields to the event loop
 * (a macrotask, so every timer already due, the tool timeout included, runs first) and starts a new
 * slice. After `await slice()` the loop checks its abort signal and stops.
 */

export const DEFAULT_SLICE_MS = 10;

export interface SlicerOptions {
  /** work between yields; 0 yields on every call */
  sliceMs?: number;
  /** clock in milliseconds; default `performance.now` (a seam for tests) */
  now?: () => number;
}

export type Slice = () => Promise<void> | undefined;

export function timeSlicer(opts: SlicerOptions = {}): Slice {
  const sliceMs = opts.sliceMs ?? DEFAULT_SLICE_MS;
  const now = opts.now ?? (() => performance.now());
  let started = now();
  return () => {
    if (now() - started < sliceMs) return undefined;
    return new Promise<void>((resolve) => {
      setTimeout(() => {
        started = now();
        resolve();
      }, 0);
    });
  };
}
