/**
 * Time as the channel sees it: `now()` and an abortable `sleep`. Production uses the real clock;
 * tests pass a fake one so throttling and backoff are asserted in virtual time, not wall time.
 */
import { abortableSleep, type Sleep } from "../../core/backoff.ts";

export interface Clock {
  now(): number;
  /** resolves after `ms`, or at once when `signal` aborts (never rejects) */
  sleep: Sleep;
}

export const realClock: Clock = { now: () => Date.now(), sleep: abortableSleep };
