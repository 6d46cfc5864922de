/**
 * `agent.wait`: the outcome of a run, waited for up to a timeout. Outcomes of runs this gateway saw
 * end are kept (bounded) so a wait that arrives after the end still answers.
 */
import type { GatewayRuntime } from "../deps.ts";

const KEEP = 1000;
export type WaitOutcome = { status: "ok" | "error" | "timeout"; runId: string; outcome?: string; error?: string; endedAt?: number } | "unknown";

export class RunWaiter {
  readonly #ended = new Map<string, Exclude<WaitOutcome, "unknown">>();
  readonly #known = new Set<string>();
  readonly #waiting = new Map<string, Set<() => void>>();
  #unsubscribe: (() => void) | null = null;

  constructor(private readonly runtime: GatewayRuntime) {}

  track(runId: string): void {
    this.#listen();
    this.#known.add(runId);
    if (this.#known.size > KEEP) this.#known.delete(this.#known.values().next().value!);
  }

  async wait(runId: string, timeoutMs: number): Promise<WaitOutcome> {
    this.#listen();
    const done = this.#ended.get(runId);
    if (done) return done;
    if (!this.#known.has(runId) && !this.runtime.runs().some((r) => r.runId === runId)) return "unknown";
    return new Promise((resolve) => {
      const set = this.#waiting.get(runId) ?? new Set();
      this.#waiting.set(runId, set);
      const wake = () => {
        clearTimeout(timer);
        set.delete(wake);
        resolve(this.#ended.get(runId) ?? { status: "timeout", runId });
      };
      const timer = setTimeout(wake, timeoutMs);
      set.add(wake);
    });
  }

  #listen(): void {
    this.#unsubscribe ??= this.runtime.onEvent((ev) => {
      if (ev.type !== "final") return;
      const status = ev.outcome === "ok" || ev.outcome === "limit" ? "ok" : "error";
      this.#ended.set(ev.runId, { status, runId: ev.runId, outcome: ev.outcome, endedAt: Date.now(), ...(ev.reason && status === "error" ? { error: ev.reason } : {}) });
      if (this.#ended.size > KEEP) this.#ended.delete(this.#ended.keys().next().value!);
      for (const w of [...(this.#waiting.get(ev.runId) ?? [])]) w();
      this.#waiting.delete(ev.runId);
    });
  }
}
