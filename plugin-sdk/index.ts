/**
 * The plugin SDK of OpenClaw for Bun: what a plugin imports as `openclaw-bun/plugin-sdk`. The
 * plugin runner maps that specifier onto this module (a Bun runtime plugin, so it also resolves
 * inside the compiled binary); plugins need no dependency of their own for it.
 *
 *   import { definePlugin, z } from "openclaw-bun/plugin-sdk";
 *   export default definePlugin({
 *     id: "no-rm",
 *     hooks: { beforeToolCall: (e) => (e.name === "exec" ? { block: "no shell here" } : undefined) },
 *     tools: [tool({ name: "echo", description: "…", input: z.object({ text: z.string() }), execute: ({ text }) => text })],
 *   });
 *
 * Contract: the default export is what `definePlugin` returned. Hook payloads and results are the
 * ones of src/agent/hooks.ts (the same types the host dispatches); the loader validates the
 * definition and names any mistake (unknown hook, duplicate tool, id not the manifest's).
 */
import { z } from "zod";
import type { HookName, HookPayloads, HookResults } from "../src/agent/hooks.ts";
import type { CommandContext, LoadContext, PluginLogger, ToolCallContext } from "../src/plugins/loaded.ts";
import type { ToolResult } from "../src/tools/types.ts";

export { z };
export type { CommandContext, HookName, HookPayloads, HookResults, LoadContext, PluginLogger, ToolCallContext, ToolResult };

/** Marks what `definePlugin` returned; `Symbol.for` so a second copy of this module still agrees. */
export const PLUGIN_BRAND: unique symbol = Symbol.for("openclaw-bun.plugin-sdk.plugin") as never;

/** camelCase hook keys of a definition → the host's hook names. */
export const HOOK_KEYS = {
  beforeMessage: "BeforeMessage",
  afterMessage: "AfterMessage",
  beforeToolCall: "BeforeToolCall",
  afterToolCall: "AfterToolCall",
  sessionStart: "SessionStart",
  sessionEnd: "SessionEnd",
  agentResponse: "AgentResponse",
  error: "Error",
} as const satisfies Record<string, HookName>;
export type HookKey = keyof typeof HOOK_KEYS;

type Awaitable<T> = T | Promise<T>;
export type HookFn<N extends HookName> = (payload: HookPayloads[N]) => Awaitable<HookResults[N]>;
/** A hook is a function, or `{ priority, handler }` (higher priority runs first; default 0). */
export type HookSpec<N extends HookName> = HookFn<N> | { priority?: number; handler: HookFn<N> };
export type PluginHooks = { [K in HookKey]?: HookSpec<(typeof HOOK_KEYS)[K]> };

/** What a tool may return: plain text, `{ text }`, or a full ToolResult (`isError` defaults to false). */
export type ToolReturn = string | { text: string; isError?: boolean } | { content: ToolResult["content"]; isError?: boolean };

export interface PluginTool<S extends z.ZodType = z.ZodType> {
  /** what the model calls it: letters, digits, `_` and `-` */
  name: string;
  description: string;
  /** a zod schema: the model gets its JSON Schema, `execute` gets the parsed value */
  input?: S;
  /** or a JSON Schema object (then `execute` gets the input as the host validated it) */
  inputSchema?: Record<string, unknown>;
  execute(input: z.infer<S>, ctx: ToolCallContext): Awaitable<ToolReturn>;
}

export interface PluginCommand {
  /** `/name args` in a chat; without the slash */
  name: string;
  description: string;
  execute(args: string, ctx: CommandContext): Awaitable<string | { text: string }>;
}

/** A background service, started after load and stopped when the gateway stops the plugin. */
export interface PluginService {
  id: string;
  start(): Awaitable<void>;
  stop?(): Awaitable<void>;
}

export interface PluginDefinition {
  /** must equal the manifest's id (openclaw.plugin.json) */
  id: string;
  hooks?: PluginHooks;
  tools?: PluginTool<any>[];
  commands?: PluginCommand[];
  services?: PluginService[];
}

/** The context a factory definition receives: logger, config, data dir. */
export type PluginContext = LoadContext;

export interface DefinedPlugin {
  readonly [PLUGIN_BRAND]: true;
  /** the definition, built for this load (a factory runs here) */
  resolve(ctx: PluginContext): Promise<PluginDefinition>;
}

/** Define a plugin: an object, or a factory that gets the load context (logger, pluginConfig, dataDir). */
export function definePlugin(def: PluginDefinition | ((ctx: PluginContext) => Awaitable<PluginDefinition>)): DefinedPlugin {
  return { [PLUGIN_BRAND]: true, resolve: async (ctx) => (typeof def === "function" ? await def(ctx) : def) };
}

/** Identity helper so each tool in an array infers `execute`'s input type from its own schema. */
export function tool<S extends z.ZodType>(t: PluginTool<S>): PluginTool<S> {
  return t;
}

export function isDefinedPlugin(v: unknown): v is DefinedPlugin {
  return !!v && typeof v === "object" && (v as Record<symbol, unknown>)[PLUGIN_BRAND] === true && typeof (v as DefinedPlugin).resolve === "function";
}
