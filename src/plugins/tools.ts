/**
 * A plugin's declared tools as `Tool`s of src/tools/: the model sees the plugin's JSON Schema
 * unchanged; input is checked against that schema with ajv before anything is sent to the plugin
 * (an invalid input is the usual "invalid input … nothing was run" result); the call runs in the
 * plugin process through `defineTool`, so the tool timeout, output truncation and `redact()` of
 * every result apply as for built-ins, and `tools.allow` / `tools.deny` apply through the runtime's
 * ToolSet. A malformed result from the plugin is an error result, never a crash.
 */
import { Ajv } from "ajv";
import { z } from "zod";
import { defineTool, DEFAULT_TOOL_TIMEOUT_MS, ToolError } from "../tools/tool.ts";
import type { Tool, ToolResult } from "../tools/types.ts";
import { ToolResultSchema, type DeclaredTool } from "./protocol.ts";

const ajv = new Ajv({ allErrors: true, strict: false });

export interface PluginToolCaller {
  /**
   * runs `tool.execute` in the plugin process; rejects when the plugin is down or answers an error.
   * `signal` (the tool's: aborted on its timeout or the run's abort) cancels the call in the plugin.
   */
  callTool(name: string, input: unknown, ctx: { toolCallId: string; sessionKey: string; runId: string }, timeoutMs: number, signal: AbortSignal): Promise<unknown>;
}

export function pluginTool(pluginId: string, decl: DeclaredTool, caller: PluginToolCaller, timeoutMs = DEFAULT_TOOL_TIMEOUT_MS): Tool {
  let validate: ReturnType<typeof ajv.compile>;
  try {
    validate = ajv.compile(decl.inputSchema);
  } catch (err) {
    throw new ToolError(`plugin ${pluginId}: tool ${decl.name} has an invalid inputSchema (${(err as Error).message})`);
  }
  const schema = z.unknown().superRefine((v, ctx) => {
    if (validate(v)) return;
    for (const e of validate.errors ?? []) ctx.addIssue({ code: "custom", message: `${e.instancePath || "(input)"} ${e.message ?? "is invalid"}` });
  });
  const tool = defineTool({
    name: decl.name,
    description: decl.description,
    schema,
    timeoutMs,
    async execute(input, ctx): Promise<ToolResult> {
      let raw: unknown;
      try {
        raw = await caller.callTool(decl.name, input, { toolCallId: ctx.toolCallId, sessionKey: ctx.sessionKey, runId: ctx.runId }, timeoutMs, ctx.signal);
      } catch (err) {
        throw new ToolError(`${decl.name} (plugin ${pluginId}) failed: ${(err as Error).message}`);
      }
      const r = ToolResultSchema.safeParse(raw);
      if (!r.success) throw new ToolError(`${decl.name} (plugin ${pluginId}) returned a malformed result; the plugin must return {content:[{type:"text",text}], isError}`);
      return r.data as ToolResult;
    },
  });
  return { ...tool, inputSchema: decl.inputSchema };
}
