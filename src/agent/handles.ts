/**
 * Run handles for runs that are not live: a retried start whose run already ended (rebuilt from the
 * store), a message blocked before it was stored, and any run settled as it starts (a chat command).
 */
import type { RunOutcome, StopCause, StoredEvent } from "../core/events.ts";
import { emptyUsage, textOf } from "../core/messages.ts";
import type { SessionStore } from "../store/types.ts";
import { EventBuffer } from "./event-buffer.ts";
import type { AgentEvent, AgentResponse, RunHandle } from "./types.ts";

const PAGE = 512;

/** The handle of an earlier run found by its idempotency key; `done` carries its recorded result. */
export async function dedupedHandle(store: SessionStore, userEvent: StoredEvent): Promise<RunHandle> {
  const data = userEvent.data;
  const runId = data.type === "user_message" ? data.runId : "";
  const sessionKey = userEvent.sessionKey;
  let response: AgentResponse = { runId, sessionKey, text: "", outcome: "interrupted", cause: "interrupted", usage: emptyUsage(), durationMs: 0, reason: "the run has not finished" };
  let text = "";
  // run_finished is the run's last event: stop there rather than read the rest of the session
  scan: for (let from = userEvent.seq; ; from += PAGE) {
    const page = await store.readRange(sessionKey, from, from + PAGE - 1);
    for (const e of page) {
      if (!("runId" in e.data) || e.data.runId !== runId) continue;
      if (e.data.type === "assistant_message") text = textOf(e.data.message.content);
      if (e.data.type === "run_finished") {
        const d = e.data;
        const cause = d.cause ?? causeOfOutcome(d.outcome);
        response = { runId, sessionKey, text, outcome: d.outcome, cause, usage: d.usage ?? emptyUsage(), durationMs: d.durationMs, ...(d.reason ? { reason: d.reason } : {}) };
        break scan;
      }
    }
    if (page.length < PAGE) break;
  }
  const events = new EventBuffer<AgentEvent>();
  events.end();
  return { runId, sessionKey, deduplicated: true, events, done: Promise.resolve(response) };
}

/** A run that ended before it was stored (BeforeMessage blocked it): run_started then final "aborted". */
export function finishedHandle(runId: string, sessionKey: string, reason: string, broadcast: (e: AgentEvent) => void): RunHandle {
  const response: AgentResponse = { runId, sessionKey, text: "", outcome: "aborted", cause: "blocked", usage: emptyUsage(), durationMs: 0, reason };
  return settledHandle(response, [], broadcast);
}

/** A run that is over as it starts: run_started, `middle`, then final; each event broadcast and buffered. */
export function settledHandle(response: AgentResponse, middle: AgentEvent[], broadcast: (e: AgentEvent) => void): RunHandle {
  const { runId, sessionKey } = response;
  const events = new EventBuffer<AgentEvent>();
  const evs: AgentEvent[] = [{ type: "run_started", runId, sessionKey, ts: Date.now(), model: "none" }, ...middle, { type: "final", ...response }];
  for (const e of evs) {
    events.push(e);
    broadcast(e);
  }
  events.end();
  return { runId, sessionKey, deduplicated: false, events, done: Promise.resolve(response) };
}

/** The cause of a run recorded before causes were stored: the likeliest one for its outcome. */
export function causeOfOutcome(outcome: RunOutcome): StopCause {
  switch (outcome) {
    case "ok":
      return "completed";
    case "error":
      return "provider_error";
    default:
      return outcome;
  }
}
