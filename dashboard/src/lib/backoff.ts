/** Reconnect delays: 0.5 s doubling to 15 s, with jitter (half to full) so many tabs spread out. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(15_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.5 + random() / 2));
}
