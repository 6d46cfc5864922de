/**
 * Per-attempt cancellation: one AbortController that fires when the caller's signal aborts, when
 * no byte has arrived for `idleMs` (a stalled stream; the SDK's own timeout only covers the wait
 * for response headers), or when the attempt is disposed (the caller stopped reading).
 */
import type { ContentBlock, Usage } from "../core/messages.ts";
import { abortedStop, errorStop, failure, type AttemptFailure, type StopEvent } from "./failure.ts";

/** What a provider's stream assembler has gathered when its stream runs out. */
export interface Assembly {
  failure: AttemptFailure | undefined;
  usage: Usage;
  content(): ContentBlock[];
  finalStop(): StopEvent;
}

export class AttemptControl {
  readonly controller = new AbortController();
  timedOut = false;
  readonly #outer: AbortSignal | undefined;
  readonly #idleMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #onOuterAbort = () => this.controller.abort();

  constructor(outer: AbortSignal | undefined, idleMs: number) {
    this.#outer = outer;
    this.#idleMs = idleMs;
    if (outer?.aborted) this.controller.abort();
    else outer?.addEventListener("abort", this.#onOuterAbort, { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** the caller aborted (as opposed to a timeout) */
  get aborted(): boolean {
    return this.#outer?.aborted === true;
  }

  /** Something arrived: restart the idle clock. */
  touch(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.controller.signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.#idleMs);
    // never keep a process alive just for this timer
    (this.#timer as { unref?: () => void }).unref?.();
  }

  timeoutFailure(provider: string): AttemptFailure {
    return failure("timeout", `${provider}: no data for ${this.#idleMs} ms`, true);
  }

  /**
   * The stop event for a stream that ran out. Readers end quietly on abort, on idle timeout and on
   * EOF alike, so tell them apart here: the stream's own failure, its final stop (`finished`), the
   * caller's abort, the timeout, or else a stream cut short (`cut` says before what).
   */
  endOf(asm: Assembly, finished: boolean, provider: string, cut: string): StopEvent {
    if (asm.failure) return errorStop(asm.failure, asm.content(), asm.usage);
    if (finished) return asm.finalStop();
    if (this.aborted) return abortedStop(asm.content(), asm.usage);
    if (this.timedOut) return errorStop(this.timeoutFailure(provider), asm.content(), asm.usage);
    return errorStop(failure("stream_cut", `${provider}: the stream ended before ${cut}`, true), asm.content(), asm.usage);
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#outer?.removeEventListener("abort", this.#onOuterAbort);
    if (!this.controller.signal.aborted) this.controller.abort();
  }
}
