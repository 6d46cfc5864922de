/**
 * Run events → what clients may see. An `error` event's error becomes a `ClientError` (typed, safe:
 * no storage or internal exception text), and the `reason` of the `final` event of a failed run,
 * which repeats that text, becomes the same safe message. The agent's contract puts a run's
 * `error` event before its `final`, so the safe message is remembered per run between the two
 * (bounded: a run that never sends its final cannot grow the table past `MAX_PENDING`).
 */
import type { AgentEvent } from "../agent/types.ts";
import { clientRunError, INTERNAL_MESSAGE } from "./client-error.ts";
import type { ClientAgentEvent } from "./codec.ts";

const MAX_PENDING = 10_000;

export class ClientEvents {
  readonly #failures = new Map<string, string>();

  toClient(ev: AgentEvent): ClientAgentEvent {
    if (ev.type === "error") {
      const error = clientRunError(ev.error);
      if (this.#failures.size >= MAX_PENDING) this.#failures.delete(this.#failures.keys().next().value!);
      this.#failures.set(ev.runId, error.message);
      return { type: "error", runId: ev.runId, sessionKey: ev.sessionKey, error };
    }
    if (ev.type === "final") {
      const safe = this.#failures.get(ev.runId);
      this.#failures.delete(ev.runId);
      if (ev.outcome !== "error") return ev;
      return { ...ev, reason: safe ?? INTERNAL_MESSAGE };
    }
    return ev;
  }
}
