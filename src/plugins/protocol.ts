/**
 * Every frame the plugin host and the plugin runner speak: JSON-RPC 2.0, one object per line over
 * the plugin process's stdio (jsonl.ts). The host sends requests (`init`, `hook`, `tool.execute`,
 * `command`, `service.start`, `service.stop`, `shutdown`); the runner answers each with a result or
 * an error, and sends `log` notifications of its own (the plugin's console and logger output).
 * The host sends one notification, `cancel {id}`: it stopped waiting for request `id` (the tool
 * timed out or the run was aborted); the runner aborts that call's `ToolCallContext.signal`.
 *
 * `init` is the handshake: its result is the plugin's declaration — the hooks it subscribes to
 * (with priorities), its tools (name, description, JSON Schema input) and chat commands, and the
 * ids of its services. The host registers exactly what is declared, nothing else.
 */
import { z } from "zod";
import { HOOK_NAMES, type HookName } from "../agent/hooks.ts";

export const PROTOCOL_VERSION = 1;

const HookNameSchema = z.enum(HOOK_NAMES as [HookName, ...HookName[]]);
/** tool and command names: what a model and a chat user type */
const NameSchema = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/, "a name is a letter then up to 63 letters, digits, _ or -");

export const InitParamsSchema = z.strictObject({
  protocol: z.literal(PROTOCOL_VERSION),
  id: z.string(),
  dir: z.string(),
  entry: z.string(),
  dataDir: z.string(),
  pluginConfig: z.unknown(),
  config: z.unknown(),
});

export const DeclarationSchema = z.strictObject({
  id: z.string(),
  hooks: z.array(z.strictObject({ name: HookNameSchema, priority: z.number().finite().default(0) })).max(64),
  tools: z.array(z.strictObject({ name: NameSchema, description: z.string().max(4096), inputSchema: z.record(z.string(), z.unknown()) })).max(64),
  commands: z.array(z.strictObject({ name: NameSchema, description: z.string().max(1024) })).max(64),
  services: z.array(z.string()).max(16),
});

/** `index`: which of the declared hooks (the declaration's `hooks` array) to run */
export const HookParamsSchema = z.strictObject({ index: z.number().int().min(0), name: HookNameSchema, payload: z.unknown() });
export const ToolExecuteParamsSchema = z.strictObject({
  name: z.string(),
  input: z.unknown(),
  ctx: z.strictObject({ toolCallId: z.string(), sessionKey: z.string(), runId: z.string() }),
});
export const CommandParamsSchema = z.strictObject({
  name: z.string(),
  args: z.string(),
  ctx: z.strictObject({ channel: z.string(), sessionKey: z.string(), peer: z.string().optional() }),
});
export const ServiceParamsSchema = z.strictObject({ id: z.string() });

export const ToolResultSchema = z.strictObject({
  content: z.array(
    z.union([
      z.strictObject({ type: z.literal("text"), text: z.string() }),
      z.strictObject({ type: z.literal("image"), mediaType: z.string(), data: z.string() }),
    ]),
  ),
  isError: z.boolean(),
});
export const CommandResultSchema = z.strictObject({ text: z.string() });

/** host → runner notification: stop request `id` (its answer, if any, is ignored) */
export const CancelParamsSchema = z.strictObject({ id: z.number().int() });

export const LogParamsSchema = z.strictObject({
  level: z.enum(["debug", "info", "warn", "error"]),
  message: z.string(),
  fields: z.record(z.string(), z.unknown()).optional(),
});

/** method → params schema (host → runner requests) */
export const REQUESTS = {
  init: InitParamsSchema,
  hook: HookParamsSchema,
  "tool.execute": ToolExecuteParamsSchema,
  command: CommandParamsSchema,
  "service.start": ServiceParamsSchema,
  "service.stop": ServiceParamsSchema,
  shutdown: z.strictObject({}),
} as const;
export type RequestMethod = keyof typeof REQUESTS;

const Id = z.union([z.number().int(), z.string()]);
export const RequestFrameSchema = z.strictObject({ jsonrpc: z.literal("2.0"), id: Id, method: z.string(), params: z.unknown().optional() });
export const NotificationFrameSchema = z.strictObject({ jsonrpc: z.literal("2.0"), method: z.string(), params: z.unknown().optional() });
export const ResponseFrameSchema = z.union([
  z.strictObject({ jsonrpc: z.literal("2.0"), id: Id, result: z.unknown() }),
  z.strictObject({
    jsonrpc: z.literal("2.0"),
    id: Id.nullable(),
    error: z.strictObject({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }),
  }),
]);
/** anything the runner may write on stdout */
export const RunnerFrameSchema = z.union([ResponseFrameSchema, NotificationFrameSchema]);

export type InitParams = z.infer<typeof InitParamsSchema>;
export type Declaration = z.infer<typeof DeclarationSchema>;
export type DeclaredTool = Declaration["tools"][number];
export type DeclaredCommand = Declaration["commands"][number];
export type LogParams = z.infer<typeof LogParamsSchema>;
export type RequestFrame = z.infer<typeof RequestFrameSchema>;
export type ResponseFrame = z.infer<typeof ResponseFrameSchema>;
export type RunnerFrame = z.infer<typeof RunnerFrameSchema>;

/** JSON-RPC error codes the runner answers with */
export const RunnerErrorCode = { ParseError: -32700, InvalidParams: -32602, MethodNotFound: -32601, PluginError: -32000 } as const;
