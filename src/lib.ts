/**
 * The library entry: everything an embedder needs to run the agent in-process, from Bun or from
 * plain Node 20 (the SQLite store is the one Bun-only part and is not exported here; bring your own
 * `SessionStore` or use `MemoryStore`).
 *
 *   const runtime = new AgentRuntime(new AnthropicProvider({ apiKey: new ApiKey(key) }))
 *     .withTools(defaultTools())
 *     .withSandbox({ level: "strict", allowedPaths: ["./workspace"], networkAccess: false });
 *   const reply = await runtime.processMessage("agent:main:main", "Hello!");
 */
export { AgentRuntime } from "./agent/runtime.ts";
export { DEFAULT_LIMITS, type RuntimeOptions } from "./agent/options.ts";
export {
  HookDispatcher, HOOK_NAMES,
  type HookHandlers, type HookHandler, type HookName, type HookOptions, type HookPayloads, type HookResults,
} from "./agent/hooks.ts";
export type { AgentEvent, AgentEventType, AgentResponse, RunHandle, RunInfo, RunInput } from "./agent/types.ts";
export type { RunLimits } from "./agent/loop.ts";

export { AnthropicProvider, type AnthropicProviderOptions } from "./providers/anthropic.ts";
export { OpenAICompatibleProvider, type OpenAICompatibleOptions } from "./providers/openai-compatible.ts";
export type { Provider, ProviderEvent, ProviderFailure, ProviderRequest, StopReason, ToolSpec } from "./providers/types.ts";

export { defineTool, textResult, ToolError, type ToolDefinition } from "./tools/tool.ts";
export { applyToolPolicy, defaultTools, isToolAllowed, ToolRegistry, type ToolPolicy } from "./tools/registry.ts";
export type { Tool, ToolContext, ToolResult, ToolSettings } from "./tools/types.ts";

export type { Executor, ExecRequest, ExecResult, SandboxFs } from "./sandbox/executor.ts";
export { MemoryStore } from "./store/memory.ts";
export type { SessionStore, SessionRecord, UnfinishedRun } from "./store/types.ts";

export { ApiKey, redact } from "./core/secrets.ts";
export { OpenClawError } from "./core/errors.ts";
export { configureLogging, createLogger, type Logger } from "./core/log.ts";
export type { ContentBlock, Message, Usage } from "./core/messages.ts";
export type { StoredEvent, StoredEventData, RunOutcome } from "./core/events.ts";
export type { SandboxConfig } from "./config/schema.ts";
/** The zod the tools are built with, so tool schemas need no second copy. */
export { z } from "zod";
