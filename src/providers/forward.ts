/**
 * One attempt's stream as the retry loop and the model-fallback chain both see it: events are
 * passed on, except that non-output events (`start`, `usage`) are held back until the first output
 * event, so an attempt that fails before any output can be retried or failed over without a trace.
 * The `stop` event is not passed on; it is returned, with what is still held, for the caller to
 * decide on. A stream that ends without a `stop` returns `stop: undefined`.
 */
import type { ProviderEvent } from "./types.ts";
import { isOutputEvent, type StopEvent } from "./failure.ts";

export interface AttemptOutcome {
  stop: StopEvent | undefined;
  /** whether any output event has been passed on (then nothing may be retried) */
  output: boolean;
  /** non-output events not yet passed on; empty once `output` is true */
  held: ProviderEvent[];
}

export async function* forwardAttempt(events: AsyncIterable<ProviderEvent>): AsyncGenerator<ProviderEvent, AttemptOutcome> {
  const held: ProviderEvent[] = [];
  let output = false;
  for await (const ev of events) {
    if (ev.type === "stop") return { stop: ev, output, held };
    if (!output && !isOutputEvent(ev)) {
      held.push(ev);
      continue;
    }
    if (!output) {
      output = true;
      yield* held;
      held.length = 0;
    }
    yield ev;
  }
  return { stop: undefined, output, held };
}
