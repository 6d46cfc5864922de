/**
 * SIGTERM / SIGINT for the gateway process, installed before anything slow starts: the first
 * signal asks for a graceful stop (`onStop`), a second one exits at once with 1 (an operator who
 * presses Ctrl-C twice means it).
 */
import type { Logger } from "../core/log.ts";

export interface StopSignals {
  remove(): void;
}

export function installStopSignals(log: Logger, onStop: (signal: NodeJS.Signals) => void): StopSignals {
  let seen = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (seen) {
      log.warn(`${sig} again: exiting now`);
      process.exit(1);
    }
    seen = true;
    onStop(sig);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return {
    remove() {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    },
  };
}
