/**
 * The tool contract. A tool is made with `defineTool()` (tool.ts), which validates input against
 * its zod schema, enforces the timeout and truncates output. A tool reaches the OS only through
 * `ctx.executor`. A tool's failure is a result with `isError: true` and a message written for the
 * model to act on; `execute` may also throw, and `defineTool` turns the throw into such a result.
 */
import type { z } from "zod";
import type { ImageBlock, TextBlock } from "../core/messages.ts";
import type { Executor } from "../sandbox/executor.ts";

export interface ToolContext {
  sessionKey: string;
  runId: string;
  toolCallId: string;
  executor: Executor;
  signal: AbortSignal;
  /** tool settings from config (web fetch limits etc.) */
  settings: ToolSettings;
}

export interface ToolSettings {
  webFetch: { maxBytes: number; allowPrivateNetwork: boolean };
}

export interface ToolResult {
  content: (TextBlock | ImageBlock)[];
  isError: boolean;
}

export interface Tool<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  schema: S;
  /** JSON Schema for the model, generated from `schema` */
  inputSchema: Record<string, unknown>;
  timeoutMs: number;
  maxOutputChars: number;
  /** Validates, times out, truncates; never throws. */
  run(input: unknown, ctx: ToolContext): Promise<ToolResult>;
}
