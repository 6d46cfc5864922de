/**
 * OpenClaw tools (`api.registerTool(tool | factory, opts)`) → LoadedTool. `parameters` is a
 * TypeBox schema or plain JSON Schema: TypeBox's symbol keys are dropped by a JSON round trip.
 * `execute(toolCallId, params, signal)` returns `{ content: [{ type: "text", text }] }`; a throw
 * becomes an `isError` result the model reads.
 */
import { errorMessage } from "../core/errors.ts";
import type { ImageBlock, TextBlock } from "../core/messages.ts";
import type { ToolResult } from "../tools/types.ts";
import type { LoadedTool } from "./loaded.ts";
import { PluginLoadError } from "./load-errors.ts";
import { TOOL_NAME } from "./load-native.ts";

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

export function adaptTool(pluginId: string, raw: unknown): LoadedTool {
  const t = (raw ?? {}) as Record<string, unknown>;
  const name = t.name;
  if (typeof name !== "string" || !TOOL_NAME.test(name)) throw new PluginLoadError(`plugin ${pluginId}: api.registerTool: the tool name ${JSON.stringify(name)} must be 1-64 letters, digits, _ or -`);
  if (typeof t.execute !== "function") throw new PluginLoadError(`plugin ${pluginId}: api.registerTool: tool ${name} has no execute(toolCallId, params) function`);
  const execute = t.execute as (id: string, params: unknown, signal?: AbortSignal) => unknown;
  let inputSchema: Record<string, unknown>;
  try {
    inputSchema = t.parameters === undefined ? { type: "object", properties: {} } : (JSON.parse(JSON.stringify(t.parameters)) as Record<string, unknown>);
  } catch (err) {
    throw new PluginLoadError(`plugin ${pluginId}: tool ${name}: parameters is not JSON Schema (${errorMessage(err)})`);
  }
  if (!inputSchema || inputSchema.type !== "object") throw new PluginLoadError(`plugin ${pluginId}: tool ${name}: parameters must be an object schema (Type.Object({...}) or { type: "object", ... })`);
  const description = typeof t.description === "string" ? t.description : typeof t.label === "string" ? t.label : name;
  return {
    name,
    description,
    inputSchema,
    async execute(input, ctx) {
      try {
        return fromOpenClawResult(await execute.call(t, ctx.toolCallId, input, ctx.signal));
      } catch (err) {
        return { content: [{ type: "text", text: `${name} failed: ${errorMessage(err)}` }], isError: true };
      }
    },
  };
}

/** OpenClaw's `{ content, details }` (or a bare string) → our ToolResult. Unknown blocks become JSON text. */
export function fromOpenClawResult(r: unknown): ToolResult {
  if (typeof r === "string") return { content: [{ type: "text", text: r }], isError: false };
  const o = (r ?? {}) as { content?: unknown; isError?: unknown };
  if (!Array.isArray(o.content)) return { content: [{ type: "text", text: JSON.stringify(r ?? null) }], isError: false };
  const content = o.content.map((b: Record<string, unknown>): TextBlock | ImageBlock => {
    if (b?.type === "text" && typeof b.text === "string") return { type: "text", text: b.text };
    const mediaType = b?.mimeType ?? b?.mediaType;
    if (b?.type === "image" && typeof b.data === "string" && typeof mediaType === "string" && IMAGE_TYPES.has(mediaType)) {
      return { type: "image", data: b.data, mediaType: mediaType as ImageBlock["mediaType"] };
    }
    return { type: "text", text: JSON.stringify(b) };
  });
  return { content, isError: o.isError === true };
}
