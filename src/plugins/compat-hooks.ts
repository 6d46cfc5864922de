/**
 * OpenClaw hook names → our eight hooks. Each entry turns an OpenClaw handler `(event, ctx)` into
 * a LoadedHook handler: it builds OpenClaw's event and context from our payload and maps the
 * result back. What cannot be expressed (system-prompt rewrites, approvals) is named in
 * docs/plugins.md; a requested approval blocks the call (fail closed) with a reason.
 */
import { errorMessage } from "../core/errors.ts";
import type { HookName, HookPayloads, HookResults } from "../agent/hooks.ts";
import type { ToolResult } from "../tools/types.ts";
import type { LoadedHook, PluginLogger } from "./loaded.ts";

export type OpenClawHandler = (event: Record<string, unknown>, ctx: Record<string, unknown>) => unknown;
type Adapt<N extends HookName> = (h: OpenClawHandler, pluginId: string, log: PluginLogger) => (p: HookPayloads[N]) => Promise<HookResults[N]>;
interface Mapping {
  target: HookName;
  adapt: (h: OpenClawHandler, pluginId: string, log: PluginLogger) => (p: never) => Promise<unknown>;
}
const map = <N extends HookName>(target: N, adapt: Adapt<N>): Mapping => ({ target, adapt });
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** OpenClaw's tool result shape (content blocks, images as { data, mimeType }) from ours. */
export function toOpenClawResult(r: ToolResult): Record<string, unknown> {
  return { content: r.content.map((b) => (b.type === "text" ? b : { type: "image", data: b.data, mimeType: b.mediaType })) };
}

/**
 * OpenClaw runs these observers without waiting for them; here too: the handler is started, its
 * failure logged, and the hook answers "no change" at once so the turn does not wait on it.
 */
function fireAndForget(pluginId: string, log: PluginLogger, name: string, run: () => unknown): undefined {
  try {
    const r = run();
    if (r && typeof (r as Promise<unknown>).then === "function") (r as Promise<unknown>).then(undefined, (err: unknown) => log.warn(`plugin ${pluginId}: ${name} handler failed: ${errorMessage(err)}`));
  } catch (err) {
    log.warn(`plugin ${pluginId}: ${name} handler failed: ${errorMessage(err)}`);
  }
  return undefined;
}

/** before_agent_start / before_prompt_build: `prependContext` is put before the user's text. */
const promptBuild: Adapt<"BeforeMessage"> = (h, pluginId, log) => async (p) => {
  const r = obj(await h({ prompt: p.text, messages: [] }, { agentId: p.agentId, sessionKey: p.sessionKey, runId: p.runId, channel: p.channel }));
  const dropped = ["systemPrompt", "prependSystemContext", "appendSystemContext", "modelOverride", "providerOverride"].filter((k) => r[k] !== undefined);
  if (dropped.length) log.warn(`plugin ${pluginId}: ${dropped.join(", ")} from a prompt hook is not supported by this runtime and was ignored`);
  const prepend = str(r.prependContext);
  return prepend ? { text: `${prepend}\n\n${p.text}` } : undefined;
};

export const OPENCLAW_HOOKS: Record<string, Mapping> = {
  message_received: map("BeforeMessage", (h, pluginId, log) => async (p) =>
    fireAndForget(pluginId, log, "message_received", () => h(
      { from: p.peer ?? p.channel ?? "gateway", content: p.text, timestamp: Date.now(), sessionKey: p.sessionKey, runId: p.runId, metadata: p.origin ?? {} },
      { channelId: p.channel ?? "gateway", conversationId: p.peer, sessionKey: p.sessionKey },
    ))),
  before_agent_start: map("BeforeMessage", promptBuild),
  before_prompt_build: map("BeforeMessage", promptBuild),
  before_tool_call: map("BeforeToolCall", (h, pluginId) => async (p) => {
    const r = obj(await h(
      { toolName: p.name, params: obj(p.input), runId: p.runId, toolCallId: p.toolCallId },
      { toolName: p.name, toolCallId: p.toolCallId, sessionKey: p.sessionKey, runId: p.runId },
    ));
    if (r.block === true) return { block: str(r.blockReason) ?? `blocked by plugin ${pluginId}` };
    const approval = obj(r.requireApproval);
    if (r.requireApproval) return { block: `plugin ${pluginId} asks for approval (${str(approval.title) ?? "no title"}); approvals from plugins are not supported by this runtime, so the call is blocked` };
    return r.params && typeof r.params === "object" ? { input: r.params } : undefined;
  }),
  after_tool_call: map("AfterToolCall", (h, pluginId, log) => async (p) => {
    const error = p.result.isError ? p.result.content.map((b) => (b.type === "text" ? b.text : "")).join("\n") : undefined;
    return fireAndForget(pluginId, log, "after_tool_call", () => h(
      { toolName: p.name, params: obj(p.input), runId: p.runId, toolCallId: p.toolCallId, result: toOpenClawResult(p.result), error, durationMs: p.durationMs },
      { toolName: p.name, toolCallId: p.toolCallId, sessionKey: p.sessionKey, runId: p.runId },
    ));
  }),
  message_sending: map("AgentResponse", (h, pluginId) => async (p) => {
    const r = obj(await h({ to: p.sessionKey, content: p.text }, { channelId: "gateway", sessionKey: p.sessionKey }));
    if (r.cancel === true) return { block: str(r.cancelReason) ?? `cancelled by plugin ${pluginId}` };
    return typeof r.content === "string" ? { text: r.content } : undefined;
  }),
  message_sent: map("AfterMessage", (h) => async (p) => {
    await h({ to: p.sessionKey, content: p.text, success: p.outcome === "ok", sessionKey: p.sessionKey, runId: p.runId, error: p.reason }, { channelId: "gateway", sessionKey: p.sessionKey });
  }),
  agent_end: map("AfterMessage", (h) => async (p) => {
    const messages = [{ role: "user", content: p.userText }, { role: "assistant", content: p.text }];
    await h({ runId: p.runId, messages, success: p.outcome === "ok", error: p.reason, durationMs: p.durationMs }, { agentId: p.agentId, sessionKey: p.sessionKey, runId: p.runId });
  }),
  session_start: map("SessionStart", (h) => async (p) => {
    await h({ sessionId: p.sessionKey, sessionKey: p.sessionKey }, { agentId: p.agentId, sessionKey: p.sessionKey, sessionId: p.sessionKey });
  }),
  session_end: map("SessionEnd", (h) => async (p) => {
    await h({ sessionId: p.sessionKey, sessionKey: p.sessionKey, messageCount: 0, reason: p.reason }, { agentId: p.agentId, sessionKey: p.sessionKey, sessionId: p.sessionKey });
  }),
};

export function adaptHook(name: string, handler: OpenClawHandler, priority: number, pluginId: string, log: PluginLogger): LoadedHook | null {
  const m = OPENCLAW_HOOKS[name];
  if (!m) return null;
  return { name: m.target, priority, handler: m.adapt(handler, pluginId, log) as LoadedHook["handler"] };
}
