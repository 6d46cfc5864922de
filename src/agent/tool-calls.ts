/**
 * Executing the tool calls of one assistant message. For each call: policy (is the tool offered?)
 * → input validation (invalid input goes back as the tool's own validation error; nothing runs) →
 * BeforeToolCall (may rewrite input or block) → `tool.run` with the run's executor and signal →
 * AfterToolCall (may rewrite the result). Calls of one message run concurrently, at most
 * `maxParallel` at a time; results come back in call order. Never throws: every failure is an
 * `isError` result written for the model.
 *
 * Every result — the tool's own (already redacted by defineTool), the ones built here (unknown tool,
 * blocked, aborted, a throw past the wrapper) and an AfterToolCall rewrite — passes `redactResult`
 * once more before it is emitted or returned for storage, so no path reaches the model, the store or
 * a client unredacted.
 */
import { errorMessage } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";
import type { ToolResultBlock, ToolUseBlock } from "../core/messages.ts";
import type { Executor } from "../sandbox/executor.ts";
import { redactResult } from "../tools/tool.ts";
import type { Tool, ToolResult, ToolSettings } from "../tools/types.ts";
import type { HookDispatcher } from "./hooks.ts";
import type { AgentEvent } from "./types.ts";

export interface ToolCallEnv {
  sessionKey: string;
  runId: string;
  tools: ReadonlyMap<string, Tool>;
  hooks: HookDispatcher;
  executor: Executor;
  settings: ToolSettings;
  signal: AbortSignal;
  maxParallel: number;
  emit(event: AgentEvent): void;
  log: Logger;
  /** milliseconds for a tool call's `durationMs` (default performance.now; tests pass a fake clock) */
  now?: () => number;
}

const DISPLAY_CHARS = 2000;

export async function runToolCalls(calls: ToolUseBlock[], env: ToolCallEnv): Promise<ToolResultBlock[]> {
  for (const call of calls) {
    env.emit({ type: "tool_call", runId: env.runId, sessionKey: env.sessionKey, toolCallId: call.id, name: call.name, input: call.input, sandbox: env.executor.level });
  }
  return mapLimit(calls, env.maxParallel, async (call) => {
    const started = env.now?.() ?? performance.now();
    const result = redactResult(await runOne(call, env));
    const durationMs = Math.max(0, Math.round((env.now?.() ?? performance.now()) - started));
    env.emit({
      type: "tool_result",
      runId: env.runId,
      sessionKey: env.sessionKey,
      toolCallId: call.id,
      name: call.name,
      isError: result.isError,
      output: displayText(result),
      durationMs,
      sandbox: env.executor.level,
    });
    return { type: "tool_result", toolUseId: call.id, content: result.content, isError: result.isError };
  });
}

/** Results for calls that will not run (limit reached, run aborted), so history stays paired. */
export function notRunResults(calls: ToolUseBlock[], why: string): ToolResultBlock[] {
  return calls.map((c) => ({ type: "tool_result", toolUseId: c.id, content: [{ type: "text", text: `${c.name} was not run: ${why}` }], isError: true }));
}

async function runOne(call: ToolUseBlock, env: ToolCallEnv): Promise<ToolResult> {
  const tool = env.tools.get(call.name);
  if (!tool) {
    const names = [...env.tools.keys()].sort();
    return err(`unknown tool ${JSON.stringify(call.name)}; available tools: ${names.length ? names.join(", ") : "(none)"}`);
  }
  const ctx = { sessionKey: env.sessionKey, runId: env.runId, toolCallId: call.id, executor: env.executor, signal: env.signal, settings: env.settings };
  let input: unknown = call.input ?? {};
  // invalid input: the tool itself reports its validation error without running anything
  if (!tool.schema.safeParse(input).success) return safeRun(tool, input, ctx, env);

  if (env.hooks.has("BeforeToolCall")) {
    const d = await env.hooks.decide("BeforeToolCall", { sessionKey: env.sessionKey, runId: env.runId, toolCallId: call.id, name: call.name, input });
    if (d.blocked) return err(`the call to ${call.name} was blocked: ${d.reason}`);
    input = d.payload.input;
  }
  if (env.signal.aborted) return err(`${call.name} was not run: the run was aborted`);
  const started = Date.now();
  let result = await safeRun(tool, input, ctx, env);
  if (env.hooks.has("AfterToolCall")) {
    const d = await env.hooks.decide("AfterToolCall", {
      sessionKey: env.sessionKey, runId: env.runId, toolCallId: call.id, name: call.name, input, result, durationMs: Date.now() - started,
    });
    if (!d.blocked) result = d.payload.result;
  }
  return result;
}

/** `tool.run` raced against the run's abort, so an abort never waits for a tool that ignores its signal. */
async function safeRun(tool: Tool, input: unknown, ctx: Parameters<Tool["run"]>[1], env: ToolCallEnv): Promise<ToolResult> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<ToolResult>((resolve) => {
    onAbort = () => resolve(err(`${tool.name} was aborted`));
    if (env.signal.aborted) onAbort();
    else env.signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([
      Promise.resolve().then(() => tool.run(input, ctx)),
      aborted,
    ]);
  } catch (e) {
    env.log.warn("tool threw past its wrapper", { tool: tool.name, error: errorMessage(e) });
    if (env.hooks.has("Error")) {
      env.hooks.observe("Error", { sessionKey: env.sessionKey, runId: env.runId, phase: "tool", error: { type: e instanceof Error ? e.name : "Error", message: errorMessage(e) } });
    }
    return err(`${tool.name} failed: ${errorMessage(e).split("\n")[0]}`);
  } finally {
    if (onAbort) env.signal.removeEventListener("abort", onAbort);
  }
}

function err(text: string): ToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

function displayText(result: ToolResult): string {
  const text = result.content.map((b) => (b.type === "text" ? b.text : "[image]")).join("\n");
  return text.length > DISPLAY_CHARS ? `${text.slice(0, DISPLAY_CHARS)}…` : text;
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}
