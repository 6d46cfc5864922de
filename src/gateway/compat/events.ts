/**
 * Our run events → OpenClaw `chat` and `agent` events. `chat` deltas carry `deltaText` (v4) and
 * `message`, the cumulative assistant message so far (v3 clients read `message`); a run's end is
 * one `chat` event with `state` final | aborted | error. Tool calls and results are `agent` events
 * on the `tool` stream. Each run has its own `seq`, counted from the first of its events this codec
 * saw (the hub encodes an event once per codec, so every OpenClaw subscriber sees the same seq).
 */
import type { ClientAgentEvent, GatewayEvent } from "../codec.ts";
import { eventFrame } from "./frames.ts";

export const EVENTS = ["connect.challenge", "tick", "chat", "agent", "presence", "shutdown", "sessions.changed"] as const;

/** At most this many runs are tracked at once; the oldest is forgotten (its seq restarts). */
const MAX_RUNS = 10_000;

interface RunState {
  seq: number;
  text: string;
  error?: string;
}

const assistant = (text: string, ts: number) => ({ role: "assistant", content: [{ type: "text", text }], timestamp: ts });

export class EventEncoder {
  readonly #runs = new Map<string, RunState>();
  constructor(private readonly now: () => number = Date.now) {}

  encode(event: GatewayEvent): string | null {
    if (event.kind !== "run") return null;
    const { runId, sessionKey } = event;
    const ev: ClientAgentEvent = event.event;
    const run = this.#state(runId);
    const base = { runId, sessionKey };
    switch (ev.type) {
      case "text_delta":
        run.text += ev.text;
        return eventFrame("chat", { ...base, seq: run.seq++, state: "delta", deltaText: ev.text, message: assistant(run.text, this.now()) });
      case "tool_call":
        return eventFrame("agent", { runId, seq: run.seq++, stream: "tool", ts: this.now(), data: { phase: "start", name: ev.name, toolCallId: ev.toolCallId, args: ev.input } });
      case "tool_result":
        return eventFrame("agent", {
          runId,
          seq: run.seq++,
          stream: "tool",
          ts: this.now(),
          data: { phase: "result", name: ev.name, toolCallId: ev.toolCallId, isError: ev.isError, result: ev.output, durationMs: ev.durationMs },
        });
      case "error":
        // the run's final event follows and carries the state; keep the (client-safe) message for it
        run.error = ev.error.message;
        return null;
      case "final": {
        this.#runs.delete(runId);
        const message = assistant(ev.text || run.text, this.now());
        const seq = run.seq;
        if (ev.outcome === "aborted") return eventFrame("chat", { ...base, seq, state: "aborted", message, stopReason: "aborted" });
        if (ev.outcome === "error") return eventFrame("chat", { ...base, seq, state: "error", errorMessage: run.error ?? ev.reason ?? "the run failed" });
        return eventFrame("chat", { ...base, seq, state: "final", message, usage: ev.usage, stopReason: ev.outcome === "limit" ? "limit" : "stop" });
      }
      default:
        return null;
    }
  }

  #state(runId: string): RunState {
    let s = this.#runs.get(runId);
    if (!s) {
      if (this.#runs.size >= MAX_RUNS) this.#runs.delete(this.#runs.keys().next().value!);
      this.#runs.set(runId, (s = { seq: 0, text: "" }));
    }
    return s;
  }
}
