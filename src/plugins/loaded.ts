/**
 * The seam between the plugin runner's transport (runner.ts: JSON-RPC over stdio, owned by the host
 * side) and what a plugin module turned into once imported (load.ts: our `definePlugin` shape or an
 * OpenClaw `register(api)` plugin through compat.ts). Everything here lives INSIDE the plugin
 * process; the host only ever sees the declarations (names, priorities, schemas) and the results.
 */
import type { HookName, HookPayloads, HookResults } from "../agent/hooks.ts";
import type { ToolResult } from "../tools/types.ts";

export interface PluginLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LoadContext {
  /** the manifest id */
  id: string;
  /** the plugin's root directory (where openclaw.plugin.json is) */
  dir: string;
  /** the one directory the plugin may write */
  dataDir: string;
  /** `plugins.entries.<id>.config`, already validated against the manifest's configSchema */
  pluginConfig: unknown;
  /** the gateway's effective config with every secret masked */
  config: unknown;
  logger: PluginLogger;
}

export interface LoadedHook<N extends HookName = HookName> {
  name: N;
  /** higher runs first; default 0 */
  priority: number;
  handler: (payload: HookPayloads[N]) => Promise<HookResults[N]>;
}

export interface ToolCallContext {
  toolCallId: string;
  sessionKey: string;
  runId: string;
  signal: AbortSignal;
}

export interface LoadedTool {
  name: string;
  description: string;
  /** JSON Schema (an object schema) the host validates input against before calling */
  inputSchema: Record<string, unknown>;
  execute(input: unknown, ctx: ToolCallContext): Promise<ToolResult>;
}

export interface CommandContext {
  channel: string;
  sessionKey: string;
  peer?: string;
}

export interface LoadedCommand {
  /** without the slash: `/weather paris` is name `weather`, args `paris` */
  name: string;
  description: string;
  execute(args: string, ctx: CommandContext): Promise<{ text: string }>;
}

export interface LoadedService {
  id: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface LoadedPlugin {
  id: string;
  hooks: LoadedHook[];
  tools: LoadedTool[];
  commands: LoadedCommand[];
  services: LoadedService[];
}

/** Import the plugin's entry module and turn it into a LoadedPlugin (load.ts implements it). */
export type LoadPlugin = (entryPath: string, ctx: LoadContext) => Promise<LoadedPlugin>;
