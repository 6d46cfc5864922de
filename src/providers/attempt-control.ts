/**
 * Per-attempt cancellation: one AbortController that fires when the caller's signal aborts, when
 * no byte has arrived for `idleMs` (a stalled stream; the SDK's own timeout only covers the wait
 * for response headers), or when the attempt is disposed (the caller stopped reading).
 */
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

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#outer?.removeEventListener("abort", this.#onOuterAbort);
    if (!this.controller.signal.aborted) this.controller.abort();
  }
}
