/**
 * SIGTERM / SIGINT for the gateway process, installed before anything slow (the CLI installs them
 * before it even loads the gateway's modules): the first signal asks for a graceful stop, a second
 * one exits at once with 1 (an operator who presses Ctrl-C twice means it). A signal that arrives
 * before the process has registered its stop is remembered and delivered on registration.
 */
import type { Logger } from "../core/log.ts";

export interface StopSignals {
  /** register the graceful stop; called at once if a signal already came */
  onStop(handler: (signal: NodeJS.Signals) => void): void;
  remove(): void;
}

export function installStopSignals(log: Logger): StopSignals {
  let seen = false;
  let pending: NodeJS.Signals | null = null;
  let handler: ((signal: NodeJS.Signals) => void) | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (seen) {
      log.warn(`${sig} again: exiting now`);
      process.exit(1);
    }
    seen = true;
    if (handler) handler(sig);
    else pending = sig;
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return {
    onStop(h) {
      handler = h;
      if (pending !== null) h(pending);
    },
    remove() {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    },
  };
}
