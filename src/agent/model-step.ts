/**
 * One model step of a run: compact the context when it passes the budget, then stream one model
 * request, forwarding text and thinking deltas as events. Never throws for a provider problem: a
 * provider that throws or ends without a `stop` event (a broken third-party Provider) becomes an
 * `error` step; its message is redacted like every provider failure.
 */
import { errorMessage } from "../core/errors.ts";
import { emptyUsage, type Message, type Usage } from "../core/messages.ts";
import { redact } from "../core/secrets.ts";
import type { Provider, ProviderFailure, StopReason } from "../providers/types.ts";
import type { Executor } from "../sandbox/executor.ts";
import { maybeCompact } from "./compaction.ts";
import type { History } from "./history.ts";
import type { LoopDeps, RunState } from "./loop.ts";
import { toMessages } from "./model-messages.ts";
import type { RunLog } from "./run-log.ts";

export interface StepResult {
  message: Message;
  stopReason: StopReason;
  usage: Usage;
  model?: string;
  error?: ProviderFailure;
}

/** What a run carries from one model step to the next. */
export interface StepContext {
  system: string;
  history: History;
  /** the current run's messages so far: the user message, then assistant / tool-result pairs */
  current: Message[];
  /** a summary request failed in this run: do not try again */
  compactionFailed: boolean;
  /** built at the first tool step */
  executor?: Executor;
}

export async function modelStep(deps: LoopDeps, run: RunState, ctx: StepContext, runLog: RunLog, maxTokens: number): Promise<StepResult> {
  const signal = run.controller.signal;
  if (!ctx.compactionFailed) {
    const compacted = await maybeCompact({
      provider: deps.provider, store: deps.store, log: deps.log, sessionKey: run.sessionKey, runId: run.runId, model: run.model,
      system: ctx.system, tools: deps.toolSpecs, history: ctx.history, current: ctx.current, contextWindow: deps.contextWindow,
      reserveTokens: deps.reserveTokens, signal, beforeWrite: () => runLog.write(),
    });
    ctx.history = compacted.history;
    if (compacted.failed) ctx.compactionFailed = true;
    if (compacted.compacted) {
      const { summaryChars, tokensBefore } = compacted.compacted;
      deps.emit(run, { type: "compaction", runId: run.runId, sessionKey: run.sessionKey, summaryChars, tokensBefore });
    }
  }
  // extended thinking needs max_tokens above its budget; near the end of the budget, answer without it
  const thinking = deps.thinking && maxTokens > deps.thinking.budgetTokens ? { thinking: deps.thinking } : {};
  return streamStep(deps, run, {
    model: run.model, system: ctx.system, messages: toMessages(ctx.history, ctx.current), tools: deps.toolSpecs, maxTokens, ...thinking,
  });
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
    deps.log.error("the provider threw instead of ending its stream with a stop event", { runId: run.runId, error: errorMessage(err) });
    return failed(`the provider failed: ${redact(errorMessage(err))}`, model);
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
