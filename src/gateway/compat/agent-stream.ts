/**
 * OpenClaw's `agent` run flow for one connection: the request is answered `{runId, status:
 * "accepted"}` at once; the run's events follow as `agent` events (`lifecycle` start/end/error,
 * `assistant` with the cumulative `text` and the `delta`, `tool` start/result), then a second `res`
 * with the same request id carries the outcome. OpenClaw's run id is the client's idempotency key,
 * so events carry that id. Read from the run handle's own event buffer (from `run_started` on),
 * not the hub: nothing can be missed between the start and a subscription, and only the
 * requesting connection gets them. Frames go through the peer, so they wait behind the accepted
 * answer like every event.
 */
import type { AgentEvent, RunHandle } from "../../agent/types.ts";
import { clientRunError } from "../client-error.ts";
import { eventFrame, resOk } from "./frames.ts";

export function streamAgentRun(handle: RunHandle, clientRunId: string, requestId: string, send: (text: string) => void, now: () => number = Date.now): void {
  if (handle.deduplicated) {
    // the same idempotency key again: no second run and no events; the outcome when the first one ends
    void handle.done.then((r) => send(resOk(requestId, summaryOf(clientRunId, r.outcome, r.text, r.reason))));
    return;
  }
  let seq = 0;
  let text = "";
  let error: string | undefined;
  const agent = (stream: string, data: Record<string, unknown>) => send(eventFrame("agent", { runId: clientRunId, seq: seq++, stream, ts: now(), data }));
  const on = (ev: AgentEvent): void => {
    switch (ev.type) {
      case "run_started":
        return agent("lifecycle", { phase: "start", sessionKey: ev.sessionKey });
      case "text_delta":
        text += ev.text;
        return agent("assistant", { text, delta: ev.text });
      case "tool_call":
        return agent("tool", { phase: "start", name: ev.name, toolCallId: ev.toolCallId, args: ev.input });
      case "tool_result":
        return agent("tool", { phase: "result", name: ev.name, toolCallId: ev.toolCallId, isError: ev.isError, result: ev.output });
      case "error":
        error = clientRunError(ev.error).message;
        return;
      case "final": {
        const ok = ev.outcome === "ok" || ev.outcome === "limit";
        agent("lifecycle", ok ? { phase: "end" } : { phase: "error", error: error ?? ev.reason ?? ev.outcome });
        return send(resOk(requestId, summaryOf(clientRunId, ev.outcome, ev.text || text, error ?? ev.reason)));
      }
    }
  };
  void (async () => {
    try {
      for await (const ev of handle.events) on(ev);
    } catch {
      // the buffer ends with the run; a failure here only ends this connection's stream
    }
  })();
}

function summaryOf(runId: string, outcome: string, text: string, error: string | undefined) {
  const ok = outcome === "ok" || outcome === "limit";
  return { runId, status: ok ? "ok" : outcome === "aborted" ? "aborted" : "error", result: { text, payloads: text ? [{ text }] : [] }, ...(ok || error === undefined ? {} : { error }) };
}
