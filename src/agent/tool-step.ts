/**
 * One tool step of a run: the model stopped with `tool_use`. The assistant message is stored (with
 * whatever the run log holds, e.g. `run_started`), the calls run (tool-calls.ts), and their results
 * are stored as one `tool_result` message, so every stored tool_use has its stored results and the
 * history is always well-formed. Storage errors propagate (the loop ends the run as storage_error).
 */
import type { Message, ToolUseBlock } from "../core/messages.ts";
import type { LoopDeps, RunState } from "./loop.ts";
import type { StepContext, StepResult } from "./model-step.ts";
import { assistantEntry, type RunLog } from "./run-log.ts";
import { notRunResults, runToolCalls } from "./tool-calls.ts";

export async function toolStep(deps: LoopDeps, run: RunState, ctx: StepContext, runLog: RunLog, step: StepResult, calls: ToolUseBlock[]): Promise<void> {
  await runLog.write(assistantEntry(run.runId, step.message, "tool_use", step));
  ctx.current.push(step.message);
  const executor = (ctx.executor ??= await deps.executor());
  const tools: { toolCallId: string; durationMs: number; sandbox: string }[] = [];
  const results = await runToolCalls(calls, {
    runId: run.runId, sessionKey: run.sessionKey, tools: deps.tools, hooks: deps.hooks, executor, settings: deps.toolSettings,
    signal: run.controller.signal, maxParallel: deps.maxParallelTools, log: deps.log,
    emit: (e) => {
      if (e.type === "tool_result") tools.push({ toolCallId: e.toolCallId, durationMs: e.durationMs, sandbox: e.sandbox });
      deps.emit(run, e);
    },
  });
  const resultMessage: Message = { role: "user", content: results.length === calls.length ? results : notRunResults(calls, "internal error") };
  const data = { type: "tool_result" as const, runId: run.runId, message: resultMessage, ...(tools.length ? { tools } : {}) };
  const stored = await deps.store.append(run.sessionKey, { data });
  deps.history.appended(run.sessionKey, [stored]);
  ctx.current.push(resultMessage);
}
