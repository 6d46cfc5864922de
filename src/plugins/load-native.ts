/**
 * A plugin written with our SDK (`definePlugin` from `openclaw-bun/plugin-sdk`) → LoadedPlugin.
 * The definition is validated here, once, so a mistake is a load error naming the key and the fix
 * rather than a surprise on the first call. Tool throws become `isError` results the model reads.
 */
import { z } from "zod";
import { errorMessage } from "../core/errors.ts";
import { HOOK_KEYS, type DefinedPlugin, type HookKey, type PluginCommand, type PluginTool, type ToolReturn } from "../../plugin-sdk/index.ts";
import type { ToolResult } from "../tools/types.ts";
import type { LoadContext, LoadedCommand, LoadedHook, LoadedPlugin, LoadedService, LoadedTool } from "./loaded.ts";
import { PluginLoadError } from "./load-errors.ts";

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", { message: "must be a function" });
const HookSpecSchema = z.union([fn, z.strictObject({ priority: z.number().finite().optional(), handler: fn })], {
  error: "must be a function or { priority?, handler }",
});
export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const COMMAND_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const DefinitionSchema = z.strictObject({
  id: z.string().min(1),
  hooks: z.strictObject(Object.fromEntries(Object.keys(HOOK_KEYS).map((k) => [k, HookSpecSchema.optional()])), {
    error: (iss) => (iss.code === "unrecognized_keys" ? `unknown hook ${iss.keys.join(", ")}; the hooks are ${Object.keys(HOOK_KEYS).join(", ")}` : undefined),
  }).optional(),
  tools: z.array(z.strictObject({
    name: z.string().regex(TOOL_NAME, "must be 1-64 letters, digits, _ or -"),
    description: z.string(),
    input: z.custom<z.ZodType>((v) => !!v && typeof (v as z.ZodType).safeParse === "function", { message: "must be a zod schema (z.object({...}))" }).optional(),
    inputSchema: z.record(z.string(), z.unknown()).optional(),
    execute: fn,
  }).refine((t) => !(t.input && t.inputSchema), { message: "give input (zod) or inputSchema (JSON Schema), not both" })).optional(),
  commands: z.array(z.strictObject({ name: z.string().regex(COMMAND_NAME, "must be letters, digits, _ or - (no slash)"), description: z.string(), execute: fn })).optional(),
  services: z.array(z.looseObject({ id: z.string().min(1), start: fn, stop: fn.optional() })).optional(),
});

/** "hooks.beforeToolcall: …; tools.0.name: …" */
export function describeIssues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join(".") : "(definition)"}: ${i.message}`).join("; ");
}

export async function loadNative(plugin: DefinedPlugin, ctx: LoadContext): Promise<LoadedPlugin> {
  let def: unknown;
  try {
    def = await plugin.resolve(ctx);
  } catch (err) {
    throw new PluginLoadError(`plugin ${ctx.id}: its definePlugin factory threw: ${errorMessage(err)}`, { cause: err });
  }
  const parsed = DefinitionSchema.safeParse(def);
  if (!parsed.success) throw new PluginLoadError(`plugin ${ctx.id}: invalid definePlugin definition: ${describeIssues(parsed.error)}`);
  const d = parsed.data;
  if (d.id !== ctx.id) throw new PluginLoadError(`plugin ${ctx.id}: definePlugin({ id: "${d.id}" }) does not match the manifest id "${ctx.id}"; use the same id in both`);
  const tools = (d.tools ?? []).map((t) => nativeTool(ctx.id, t as unknown as PluginTool));
  const commands = (d.commands ?? []).map((c) => nativeCommand(c as unknown as PluginCommand));
  assertUnique(ctx.id, "tool", tools.map((t) => t.name));
  assertUnique(ctx.id, "command", commands.map((c) => c.name));
  return { id: ctx.id, hooks: nativeHooks(d.hooks ?? {}), tools, commands, services: (d.services ?? []).map(nativeService) };
}

export function assertUnique(id: string, kind: string, names: string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new PluginLoadError(`plugin ${id}: two ${kind}s are named "${n}"; ${kind} names must be unique`);
    seen.add(n);
  }
}

function nativeHooks(hooks: Record<string, unknown>): LoadedHook[] {
  return Object.entries(hooks).flatMap(([key, spec]) => {
    if (!spec) return [];
    const name = HOOK_KEYS[key as HookKey];
    const { priority, handler } = typeof spec === "function" ? { priority: 0, handler: spec } : (spec as { priority?: number; handler: (p: unknown) => unknown });
    return [{ name, priority: priority ?? 0, handler: async (payload: unknown) => (await handler(payload)) as never } as LoadedHook];
  });
}

function nativeTool(pluginId: string, t: PluginTool): LoadedTool {
  const schema = t.input;
  let inputSchema: Record<string, unknown> = t.inputSchema ?? { type: "object", properties: {} };
  if (schema) {
    try {
      inputSchema = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
    } catch (err) {
      throw new PluginLoadError(`plugin ${pluginId}: tool ${t.name}: its input schema cannot be turned into JSON Schema (${errorMessage(err)})`);
    }
    delete inputSchema.$schema;
  }
  if (inputSchema.type !== "object") throw new PluginLoadError(`plugin ${pluginId}: tool ${t.name}: the input must be an object schema (z.object({...}) or { type: "object", ... })`);
  return {
    name: t.name,
    description: t.description,
    inputSchema,
    async execute(input, ctx) {
      let value = input;
      if (schema) {
        const r = schema.safeParse(input);
        if (!r.success) return errorResult(`invalid input for ${t.name}: ${describeIssues(r.error)}`);
        value = r.data;
      }
      try {
        return toToolResult(await t.execute(value as never, ctx));
      } catch (err) {
        return errorResult(`${t.name} failed: ${errorMessage(err)}`);
      }
    },
  };
}

export const errorResult = (text: string): ToolResult => ({ content: [{ type: "text", text }], isError: true });

export function toToolResult(r: ToolReturn | undefined): ToolResult {
  if (r === undefined || r === null) return { content: [], isError: false };
  if (typeof r === "string") return { content: [{ type: "text", text: r }], isError: false };
  if ("content" in r && Array.isArray(r.content)) return { content: r.content, isError: r.isError === true };
  if ("text" in r && typeof r.text === "string") return { content: [{ type: "text", text: r.text }], isError: r.isError === true };
  return { content: [{ type: "text", text: JSON.stringify(r) }], isError: false };
}

function nativeCommand(c: PluginCommand): LoadedCommand {
  return {
    name: c.name,
    description: c.description,
    async execute(args, ctx) {
      const r = await c.execute(args, ctx);
      return { text: typeof r === "string" ? r : String(r?.text ?? "") };
    },
  };
}

function nativeService(s: { id: string; start: () => unknown; stop?: () => unknown }): LoadedService {
  return { id: s.id, start: async () => void (await s.start()), stop: async () => void (await s.stop?.()) };
}
