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
 */
import { errorMessage, OpenClawError, StorageError } from "../core/errors.ts";
import type { RunOutcome, StoredEvent } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import { addUsage, emptyUsage, textOf, type Message, type ToolUseBlock, type Usage } from "../core/messages.ts";
import type { Provider, ProviderFailure, StopReason, ToolSpec } from "../providers/types.ts";
import type { Executor } from "../sandbox/executor.ts";
import type { AppendInput, SessionStore } from "../store/types.ts";
import type { Tool, ToolSettings } from "../tools/types.ts";
import { maybeCompact } from "./compaction.ts";
import { buildSystemPrompt } from "./system-prompt.ts";
import { toMessages } from "./model-messages.ts";
import type { HistoryCache } from "./history.ts";
import type { EventBuffer } from "./event-buffer.ts";
import type { HookDispatcher } from "./hooks.ts";
import { notRunResults, runToolCalls } from "./tool-calls.ts";
import type { AgentEvent, AgentResponse } from "./types.ts";

export interface RunLimits {
  maxSteps: number;
  maxWallMs: number;
  maxOutputTokens: number;
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
  /** why the run was stopped from outside; set before `controller.abort()` */
  stop?: { outcome: "aborted" | "limit"; reason: string };
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

interface StepResult {
  message: Message;
  stopReason: StopReason;
  usage: Usage;
  model?: string;
  error?: ProviderFailure;
}

/** True when every block is a text block with a string: a message that needs no schema walk to store. */
export function isPlainText(m: Message): boolean {
  if (m.role !== "user" && m.role !== "assistant") return false;
  for (const b of m.content) if (b.type !== "text" || typeof b.text !== "string") return false;
  return true;
}

function isUsage(u: Usage | undefined): boolean {
  return !!u && Number.isSafeInteger(u.inputTokens) && Number.isSafeInteger(u.outputTokens) && Number.isSafeInteger(u.cacheReadTokens) &&
    Number.isSafeInteger(u.cacheWriteTokens) && u.inputTokens >= 0 && u.outputTokens >= 0 && u.cacheReadTokens >= 0 && u.cacheWriteTokens >= 0;
}

/**
 * The run's writes. `defer` holds an event until the next `write`, which stores everything held
 * plus its own events in one appendMany (one commit). Events the loop built from checked parts take
 * the store's trusted path; anything else (tool calls and results, images) is validated by the store.
 */
class RunLog {
  #held: { input: AppendInput; trusted: boolean }[] = [];
  constructor(
    private readonly store: SessionStore,
    private readonly sessionKey: string,
    private readonly stored: (events: StoredEvent[]) => void,
  ) {}

  defer(input: AppendInput, trusted: boolean): void {
    this.#held.push({ input, trusted });
  }

  get holding(): boolean {
    return this.#held.length > 0;
  }

  /** Stores the held events and `items` atomically; on failure the held events stay held. */
  async write(...items: { input: AppendInput; trusted: boolean }[]): Promise<void> {
    const all = this.#held.length ? [...this.#held, ...items] : items;
    if (all.length === 0) return;
    const held = this.#held;
    this.#held = [];
    try {
      this.stored(await this.store.appendMany(this.sessionKey, all.map((i) => i.input), { trusted: all.every((i) => i.trusted) }));
    } catch (err) {
      this.#held = held;
      throw err;
    }
  }
}

export function stopRun(run: RunState, outcome: "aborted" | "limit", reason: string): void {
  if (run.controller.signal.aborted) return;
  run.stop = { outcome, reason };
  run.controller.abort(new Error(reason));
}

export async function executeRun(deps: LoopDeps, run: RunState): Promise<AgentResponse> {
  const { store, log } = deps;
  const started = (run.startedAt = Date.now());
  const base = { runId: run.runId, sessionKey: run.sessionKey };
  const signal = run.controller.signal;
  let usage = emptyUsage();
  let outcome: RunOutcome = "ok";
  let reason: string | undefined;
  let text = "";
  let failure: { type: string; message: string } | undefined;
  let phase: "provider" | "store" | "internal" = "provider";
  const wall = setTimeout(() => stopRun(run, "limit", `wall time limit reached (${deps.limits.maxWallMs} ms)`), deps.limits.maxWallMs);
  (wall as { unref?: () => void }).unref?.();

  const runLog = new RunLog(store, run.sessionKey, (events) => deps.history.appended(run.sessionKey, events));
  /** the final assistant message (or the partial one of an aborted stream), stored with run_finished */
  let tail: { input: AppendInput; trusted: boolean } | undefined;
  try {
    if (!run.startStored) runLog.defer({ data: { type: "run_started", runId: run.runId, ...(run.model ? { model: run.model } : {}) } }, true);
    deps.emit(run, { type: "run_started", ...base, ts: started, model: run.model || deps.displayModel });

    const system = await buildSystemPrompt(deps.systemPrompt, deps.workspace);
    let history = await deps.history.load(store, run.sessionKey, run.userSeq);
    const current: Message[] = [run.userMessage];
    let steps = 0;
    let executor: Executor | undefined;
    let compactionFailed = false;

    for (;;) {
      if (signal.aborted) {
        ({ outcome, reason } = stopOutcome(run));
        break;
      }
      const remaining = deps.limits.maxOutputTokens - usage.outputTokens;
      if (remaining <= 0) {
        outcome = "limit";
        reason = `output token limit reached (${deps.limits.maxOutputTokens} tokens)`;
        break;
      }
      const compacted = compactionFailed
        ? { history }
        : await maybeCompact({
            provider: deps.provider, store, log, sessionKey: run.sessionKey, runId: run.runId, model: run.model, system,
            tools: deps.toolSpecs, history, current, contextWindow: deps.contextWindow, reserveTokens: deps.reserveTokens, signal,
            beforeWrite: () => runLog.write(),
          });
      history = compacted.history;
      if ("failed" in compacted && compacted.failed) compactionFailed = true;
      if ("compacted" in compacted && compacted.compacted) {
        deps.emit(run, { type: "compaction", ...base, summaryChars: compacted.compacted.summaryChars, tokensBefore: compacted.compacted.tokensBefore });
      }

      const maxTokens = Math.min(deps.limits.maxOutputTokens, remaining);
      // extended thinking needs max_tokens above its budget; near the end of the budget, answer without it
      const thinking = deps.thinking && maxTokens > deps.thinking.budgetTokens ? { thinking: deps.thinking } : {};
      const step = await streamStep(deps, run, {
        model: run.model, system, messages: toMessages(history, current), tools: deps.toolSpecs, maxTokens, ...thinking,
      });
      usage = addUsage(usage, step.usage);
      const calls = step.message.content.filter((b): b is ToolUseBlock => b.type === "tool_use");

      if (signal.aborted || step.stopReason === "aborted" || step.stopReason === "error") {
        if (signal.aborted || step.stopReason === "aborted") ({ outcome, reason } = stopOutcome(run));
        else {
          outcome = "error";
          failure = { type: step.error?.kind ?? "provider_error", message: step.error?.message ?? "the model request failed" };
          reason = failure.message;
        }
        text = textOf(step.message.content);
        const partial: Message = { role: "assistant", content: step.message.content.filter((b) => b.type === "text" && b.text !== "") };
        if (partial.content.length) tail = assistantEntry(run, partial, signal.aborted ? "aborted" : step.stopReason, step);
        break;
      }

      if (step.stopReason === "tool_use" && calls.length > 0) {
        await runLog.write(assistantEntry(run, step.message, "tool_use", step));
        current.push(step.message);
        executor ??= await deps.executor();
        const results = await runToolCalls(calls, {
          ...base, tools: deps.tools, hooks: deps.hooks, executor, settings: deps.toolSettings, signal,
          maxParallel: deps.maxParallelTools, emit: (e) => deps.emit(run, e), log,
        });
        const resultMessage: Message = { role: "user", content: results.length === calls.length ? results : notRunResults(calls, "internal error") };
        deps.history.appended(run.sessionKey, [await store.append(run.sessionKey, { data: { type: "tool_result", runId: run.runId, message: resultMessage } })]);
        current.push(resultMessage);
        steps++;
        text = textOf(step.message.content);
        if (signal.aborted) {
          ({ outcome, reason } = stopOutcome(run));
          break;
        }
        if (steps >= deps.limits.maxSteps) {
          outcome = "limit";
          reason = `step limit reached (${deps.limits.maxSteps} tool steps)`;
          break;
        }
        continue;
      }

      // end of turn (end_turn, max_tokens, stop_sequence, refusal): the final reply
      const final: Message = { role: "assistant", content: step.message.content.filter((b) => b.type !== "tool_use") };
      text = textOf(final.content);
      if (step.stopReason === "max_tokens") {
        outcome = "limit";
        reason = `the reply reached the output token limit (${Math.min(deps.limits.maxOutputTokens, remaining)} tokens)`;
      }
      if (text && deps.hooks.has("AgentResponse")) {
        const d = await deps.hooks.decide("AgentResponse", { ...base, text, outcome });
        if (d.blocked) {
          outcome = "aborted";
          reason = `reply blocked by the AgentResponse hook of ${d.source}: ${d.reason}`;
          text = "";
          final.content = [{ type: "text", text: `[reply withheld: ${d.reason}]` }];
        } else if (d.payload.text !== text) {
          text = d.payload.text;
          final.content = [...final.content.filter((b) => b.type !== "text"), { type: "text", text }];
        }
      }
      if (final.content.length) tail = assistantEntry(run, final, step.stopReason, step);
      break;
    }
  } catch (err) {
    outcome = "error";
    phase = err instanceof StorageError ? "store" : "internal";
    failure = { type: err instanceof OpenClawError ? err.name : "InternalError", message: errorMessage(err) };
    reason = failure.message;
    log.error("run failed", { runId: run.runId, sessionKey: run.sessionKey, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  } finally {
    clearTimeout(wall);
  }

  const durationMs = Math.max(0, Date.now() - started);
  const finished = (o: RunOutcome, why: string | undefined) => ({
    input: { data: { type: "run_finished" as const, runId: run.runId, outcome: o, ...(why ? { reason: why } : {}), usage, durationMs } },
    trusted: isUsage(usage),
  });
  try {
    await runLog.write(...(tail ? [tail] : []), finished(outcome, reason));
  } catch (err) {
    log.error(tail ? "could not store the reply" : "could not record the end of a run", { runId: run.runId, error: errorMessage(err) });
    if (outcome !== "error") failure = { type: "StorageError", message: errorMessage(err) };
    phase = "store";
    outcome = "error";
    reason = failure?.message ?? errorMessage(err);
    if (tail) {
      // the reply could not be stored: still try to close the run, as an error
      try {
        await runLog.write(finished(outcome, reason));
      } catch (err2) {
        log.error("could not record the end of a run", { runId: run.runId, error: errorMessage(err2) });
      }
    }
  }
  if (failure) {
    deps.emit(run, { type: "error", ...base, error: failure });
    if (deps.hooks.has("Error")) deps.hooks.observe("Error", { ...base, phase, error: failure });
  }
  const response: AgentResponse = { ...base, text, outcome, usage, durationMs, ...(reason ? { reason } : {}) };
  deps.emit(run, { type: "final", ...response });
  if (deps.hooks.has("AfterMessage")) {
    deps.hooks.observe("AfterMessage", { ...response, agentId: run.agentId, userText: run.userText });
  }
  return response;
}

function stopOutcome(run: RunState): { outcome: RunOutcome; reason: string } {
  return run.stop ?? { outcome: "aborted", reason: "aborted" };
}

function assistantEntry(run: RunState, message: Message, stopReason: string, step: StepResult): { input: AppendInput; trusted: boolean } {
  return {
    input: { data: { type: "assistant_message", runId: run.runId, message, stopReason, ...(step.model ? { model: step.model } : {}), usage: step.usage } },
    trusted: isPlainText(message) && isUsage(step.usage),
  };
}

async function streamStep(deps: LoopDeps, run: RunState, request: Parameters<Provider["stream"]>[0]): Promise<StepResult> {
  const base = { runId: run.runId, sessionKey: run.sessionKey };
  let model: string | undefined;
  try {
    for await (const ev of deps.provider.stream(request, run.controller.signal)) {
      switch (ev.type) {
        case "start":
          model = ev.model;
          break;
        case "text_delta":
          deps.emit(run, { type: "text_delta", ...base, text: ev.text });
          break;
        case "thinking_delta":
          deps.emit(run, { type: "thinking_delta", ...base, text: ev.text });
          break;
        case "stop":
          return { message: ev.message, stopReason: ev.stopReason, usage: ev.usage, ...(model ? { model } : {}), ...(ev.error ? { error: ev.error } : {}) };
      }
    }
    return failed("the provider stream ended without a stop event", model);
  } catch (err) {
    return failed(errorMessage(err), model);
  }
}

function failed(message: string, model?: string): StepResult {
  return {
    message: { role: "assistant", content: [] },
    stopReason: "error",
    usage: emptyUsage(),
    ...(model ? { model } : {}),
    error: { kind: "provider_contract", message, retryable: false },
  };
}
