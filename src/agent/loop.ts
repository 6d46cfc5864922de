/**
 * One run, start to finish. The runtime has already stored the user message (after SessionStart and
 * BeforeMessage) and scheduled the run; this file does the rest:
 *   run_started → context → [compaction] → stream the model → tool calls (tool-calls.ts) →
 *   tool_result stored → … until the model ends its turn or a limit stops it → AgentResponse →
 *   final assistant_message + run_finished stored (one commit) → `final` emitted → AfterMessage.
 *
 * Commits: `run_started` is not a commit of its own; it is written in the same transaction as the
 * run's next stored event (the tool-use assistant message, a compaction, or the final pair), so a
 * plain turn costs the user message's commit (before `start()` resolves) plus one. Every event is
 * durable before anything that depends on it is emitted: `final` only after the reply and
 * run_finished are committed. A crash before that leaves the user message without run_finished,
 * which `recoverInterrupted()` marks "interrupted" (the runs table tracks user messages too).
 *
 * Stored per run (in this order): user_message, run_started, then per tool step an
 * assistant_message (stopReason "tool_use", its tool_use blocks) and one tool_result (a user-role
 * message with every result of the step, in call order), then the final assistant_message, then
 * run_finished. Tool calls are executed only when the stream stopped with `tool_use`; every stored
 * tool_use has its stored results, so history is always well-formed.
 * Aborted / failed streams: the partial text (text blocks only) is stored as an assistant_message
 * with stopReason "aborted" | "error" when it is non-empty, so the model later sees what the user
 * saw; partial tool calls are dropped. `executeRun` never throws.
 *
 * The parts: prepare (here) → model step (model-step.ts: compaction + one streamed request) → tool
 * step (tool-step.ts) → … → finish (run-end.ts: the stored end, `error` / `final`, AfterMessage).
 * Every end carries a typed cause (core/events.ts `StopCause`); nothing branches on reason text.

 */
import type { StopCause } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import { addUsage, emptyUsage, textOf, type Message, type ToolUseBlock, type Usage } from "../core/messages.ts";
import type { Provider, ToolSpec } from "../providers/types.ts";
import type { Executor } from "../sandbox/executor.ts";
import type { SessionStore } from "../store/types.ts";
import type { Tool, ToolSettings } from "../tools/types.ts";
import type { EventBuffer } from "./event-buffer.ts";
import type { HistoryCache } from "./history.ts";
import type { HookDispatcher } from "./hooks.ts";
import { modelStep, type StepContext, type StepResult } from "./model-step.ts";
import { finishRun, thrownEnd, type RunEnd } from "./run-end.ts";
import { assistantEntry, RunLog } from "./run-log.ts";
import { buildSystemPrompt } from "./system-prompt.ts";
import { toolStep } from "./tool-step.ts";
import type { AgentEvent, AgentResponse } from "./types.ts";


export interface RunLimits {
  maxSteps: number;
  maxWallMs: number;
  maxOutputTokens: number;
}

/** Why a run was stopped from outside (abort, shutdown, wall-time limit). */
export interface ExternalStop {
  outcome: "aborted" | "limit";
  cause: Extract<StopCause, "aborted" | "shutdown" | "timeout">;
  reason: string;
}

export interface RunState {
  runId: string;
  sessionKey: string;
  agentId: string;
  userText: string;
  userMessage: Message;
  userSeq: number;
  /** `provider/model` ref or "" for the provider's default */
  model: string;
  /** run_started was stored with the user message (the run started at once) */
  startStored?: boolean;
  controller: AbortController;
  /** set before `controller.abort()` */
  stop?: ExternalStop;
  events: EventBuffer<AgentEvent>;
  queuedAt: number;
  startedAt?: number;
}

export interface LoopDeps {
  provider: Provider;
  store: SessionStore;
  tools: ReadonlyMap<string, Tool>;
  toolSpecs: ToolSpec[];
  history: HistoryCache;
  hooks: HookDispatcher;
  executor(): Promise<Executor>;
  toolSettings: ToolSettings;
  limits: RunLimits;
  systemPrompt?: string;
  workspace?: string;
  contextWindow: number;
  reserveTokens: number;
  thinking?: { budgetTokens: number };
  maxParallelTools: number;
  displayModel: string;
  log: Logger;
  emit(run: RunState, event: AgentEvent): void;
}

/** Stops a run from outside; the first stop wins. */
export function stopRun(run: RunState, stop: ExternalStop): void {
  if (run.controller.signal.aborted) return;
  run.stop = stop;
  run.controller.abort(new Error(stop.reason));
}

/** A run's mutable totals, visible to `finishRun` however the run ended. */
interface Progress {
  usage: Usage;
  text: string;
}

export async function executeRun(deps: LoopDeps, run: RunState): Promise<AgentResponse> {
  const started = (run.startedAt = Date.now());
  const { maxWallMs } = deps.limits;
  const wall = setTimeout(() => stopRun(run, { outcome: "limit", cause: "timeout", reason: `wall time limit reached (${maxWallMs} ms)` }), maxWallMs);
  (wall as { unref?: () => void }).unref?.();
  const runLog = new RunLog(deps.store, run.sessionKey, (events) => deps.history.appended(run.sessionKey, events));
  const progress: Progress = { usage: emptyUsage(), text: "" };
  let end: RunEnd;
  try {
    if (!run.startStored) runLog.defer({ input: { data: { type: "run_started", runId: run.runId, ...(run.model ? { model: run.model } : {}) } }, trusted: true });
    deps.emit(run, { type: "run_started", runId: run.runId, sessionKey: run.sessionKey, ts: started, model: run.model || deps.displayModel });
    end = await steps(deps, run, runLog, progress);
  } catch (err) {
    end = thrownEnd(deps, run, err, progress.text);
  } finally {
    clearTimeout(wall);
  }
  return finishRun(deps, run, runLog, end, progress.usage, started);
}

/** Model step, tool step, … until the turn ends, a limit is reached or the run is stopped. */
async function steps(deps: LoopDeps, run: RunState, runLog: RunLog, progress: Progress): Promise<RunEnd> {
  const signal = run.controller.signal;
  const { maxOutputTokens, maxSteps } = deps.limits;
  const ctx: StepContext = {
    system: await buildSystemPrompt(deps.systemPrompt, deps.workspace),
    history: await deps.history.load(deps.store, run.sessionKey, run.userSeq),
    current: [run.userMessage],
    compactionFailed: false,
  };
  for (let toolSteps = 0; ; ) {
    if (signal.aborted) return stopped(run, progress.text);
    const remaining = maxOutputTokens - progress.usage.outputTokens;
    if (remaining <= 0) return { outcome: "limit", cause: "limit", reason: `output token limit reached (${maxOutputTokens} tokens)`, text: progress.text };
    const step = await modelStep(deps, run, ctx, runLog, Math.min(maxOutputTokens, remaining));
    progress.usage = addUsage(progress.usage, step.usage);
    if (signal.aborted || step.stopReason === "aborted" || step.stopReason === "error") return failedStep(run, step);
    const calls = step.message.content.filter((b): b is ToolUseBlock => b.type === "tool_use");
    if (step.stopReason !== "tool_use" || calls.length === 0) return endOfTurn(deps, run, step, Math.min(maxOutputTokens, remaining));
    await toolStep(deps, run, ctx, runLog, step, calls);
    progress.text = textOf(step.message.content);
    if (signal.aborted) return stopped(run, progress.text);
    if (++toolSteps >= maxSteps) return { outcome: "limit", cause: "limit", reason: `step limit reached (${maxSteps} tool steps)`, text: progress.text };
  }
}

function stopped(run: RunState, text: string): RunEnd {
  const s = run.stop ?? { outcome: "aborted", cause: "aborted", reason: "aborted" };
  return { outcome: s.outcome, cause: s.cause, reason: s.reason, text };
}

/** The stream was aborted or failed: keep what the user saw (text blocks) as a partial reply. */
function failedStep(run: RunState, step: StepResult): RunEnd {
  const text = textOf(step.message.content);
  const byStop = run.controller.signal.aborted || step.stopReason === "aborted";
  const end: RunEnd = byStop
    ? stopped(run, text)
    : {
        outcome: "error", cause: "provider_error", phase: "provider", text,
        failure: { type: step.error?.kind ?? "provider_error", message: step.error?.message ?? "the model request failed" },
        reason: step.error?.message ?? "the model request failed",
      };
  const partial: Message = { role: "assistant", content: step.message.content.filter((b) => b.type === "text" && b.text !== "") };
  if (partial.content.length) end.tail = assistantEntry(run.runId, partial, byStop ? "aborted" : step.stopReason, step);
  return end;
}

/** End of turn (end_turn, max_tokens, stop_sequence, refusal): the final reply, after AgentResponse. */
async function endOfTurn(deps: LoopDeps, run: RunState, step: StepResult, maxTokens: number): Promise<RunEnd> {
  const final: Message = { role: "assistant", content: step.message.content.filter((b) => b.type !== "tool_use") };
  const end: RunEnd = step.stopReason === "max_tokens"
    ? { outcome: "limit", cause: "limit", reason: `the reply reached the output token limit (${maxTokens} tokens)`, text: textOf(final.content) }
    : { outcome: "ok", cause: "completed", text: textOf(final.content) };
  if (end.text && deps.hooks.has("AgentResponse")) {
    const d = await deps.hooks.decide("AgentResponse", { runId: run.runId, sessionKey: run.sessionKey, text: end.text, outcome: end.outcome });
    if (d.blocked) {
      Object.assign(end, { outcome: "aborted", cause: "blocked", reason: `reply blocked by the AgentResponse hook of ${d.source}: ${d.reason}`, text: "" });
      final.content = [{ type: "text", text: `[reply withheld: ${d.reason}]` }];
    } else if (d.payload.text !== end.text) {
      end.text = d.payload.text;
      final.content = [...final.content.filter((b) => b.type !== "text"), { type: "text", text: end.text }];
    }
  }
  if (final.content.length) end.tail = assistantEntry(run.runId, final, step.stopReason, step);
  return end;
}
