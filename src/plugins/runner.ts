/**
 * The plugin-process side of the transport. Started as `openclaw __plugin-runner` (the binary
 * re-executing itself; from source `bun src/main.ts __plugin-runner`), it reads JSON-RPC requests
 * from stdin, one per line (jsonl.ts), and answers on stdout. `init` imports the plugin through
 * `loadPlugin` and answers with its declaration (protocol.ts); later requests run one declared
 * hook, tool, command or service.
 *
 * stdout is the protocol channel, so before the plugin is imported every `console.*` method and
 * `process.stdout.write` are redirected into `log` notifications (the host logs them tagged with
 * the plugin id). A plugin that throws is answered with an error frame; the runner keeps serving.
 */
import { inspect } from "node:util";
import { errorMessage } from "../core/errors.ts";
import type { HookName } from "../agent/hooks.ts";
import { frame, LineReader } from "./jsonl.ts";
import type { LoadedPlugin, LoadPlugin, PluginLogger } from "./loaded.ts";
import {
  CommandParamsSchema, HookParamsSchema, InitParamsSchema, RequestFrameSchema, RunnerErrorCode, ServiceParamsSchema,
  ToolExecuteParamsSchema, CancelParamsSchema, NotificationFrameSchema, type Declaration, type LogParams,
} from "./protocol.ts";

type Write = (text: string) => void;

export function runRunner(load: LoadPlugin): void {
  const rawWrite = process.stdout.write.bind(process.stdout) as (s: string) => boolean;
  const write: Write = (text) => void rawWrite(text);
  const log = (level: LogParams["level"], message: string, fields?: Record<string, unknown>) =>
    write(frame({ jsonrpc: "2.0", method: "log", params: { level, message: message.slice(0, 16_384), ...(fields ? { fields: safeFields(fields) } : {}) } }));
  captureOutput(log);
  const server = new RunnerServer(load, write, log);
  const reader = new LineReader({
    maxLines: 100_000,
    maxLineBytes: 64 << 20, // the host is trusted; a tool result with images can be large
    maxBytes: Number.POSITIVE_INFINITY,
    onLine: (line) => void server.handle(line),
    onViolation: (reason) => {
      log("error", `plugin runner: stdin framing violated (${reason})`);
      process.exit(2);
    },
  });
  process.stdin.on("data", (chunk: Buffer) => reader.push(chunk));
  process.stdin.on("end", () => process.exit(0));
}

class RunnerServer {
  #plugin: LoadedPlugin | undefined;
  /** request id → the abort of a running tool call (the host's `cancel {id}` aborts it) */
  readonly #running = new Map<number | string, AbortController>();

  constructor(
    private readonly load: LoadPlugin,
    private readonly write: Write,
    private readonly log: (level: LogParams["level"], message: string, fields?: Record<string, unknown>) => void,
  ) {}

  async handle(line: string): Promise<void> {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return this.write(frame({ jsonrpc: "2.0", id: null, error: { code: RunnerErrorCode.ParseError, message: "not JSON" } }));
    }
    const note = NotificationFrameSchema.safeParse(msg);
    if (note.success) return this.#notify(note.data.method, note.data.params);
    const req = RequestFrameSchema.safeParse(msg);
    if (!req.success) return this.write(frame({ jsonrpc: "2.0", id: null, error: { code: RunnerErrorCode.InvalidParams, message: "not a JSON-RPC request" } }));
    const { id, method, params } = req.data;
    const abort = new AbortController();
    this.#running.set(id, abort);
    try {
      const result = await this.#dispatch(method, params ?? {}, abort.signal);
      this.write(frame({ jsonrpc: "2.0", id, result: result ?? null }));
    } catch (err) {
      const code = err instanceof RunnerRequestError ? err.code : RunnerErrorCode.PluginError;
      this.write(frame({ jsonrpc: "2.0", id, error: { code, message: errorMessage(err).slice(0, 4096) } }));
    } finally {
      this.#running.delete(id);
    }
  }

  #notify(method: string, params: unknown): void {
    const p = CancelParamsSchema.safeParse(params);
    if (method === "cancel" && p.success) this.#running.get(p.data.id)?.abort(new Error("the host cancelled this call (the tool timed out or the run was aborted)"));
  }

  async #dispatch(method: string, params: unknown, signal: AbortSignal): Promise<unknown> {
    switch (method) {
      case "init": {
        const p = parse(InitParamsSchema, params);
        const logger = pluginLogger(this.log);
        this.#plugin = await this.load(p.entry, { id: p.id, dir: p.dir, dataDir: p.dataDir, pluginConfig: p.pluginConfig, config: p.config, logger });
        return declare(this.#plugin);
      }
      case "hook": {
        const p = parse(HookParamsSchema, params);
        const hook = this.#loaded().hooks[p.index];
        if (!hook || hook.name !== p.name) throw new RunnerRequestError(RunnerErrorCode.InvalidParams, `no hook ${p.name} at index ${p.index}`);
        return (await (hook.handler as (x: unknown) => Promise<unknown>)(p.payload)) ?? null;
      }
      case "tool.execute": {
        const p = parse(ToolExecuteParamsSchema, params);
        const tool = this.#loaded().tools.find((t) => t.name === p.name);
        if (!tool) throw new RunnerRequestError(RunnerErrorCode.InvalidParams, `no tool ${p.name}`);
        return tool.execute(p.input, { ...p.ctx, signal });
      }
      case "command": {
        const p = parse(CommandParamsSchema, params);
        const cmd = this.#loaded().commands.find((c) => c.name === p.name);
        if (!cmd) throw new RunnerRequestError(RunnerErrorCode.InvalidParams, `no command ${p.name}`);
        const ctx = p.ctx.peer === undefined ? { channel: p.ctx.channel, sessionKey: p.ctx.sessionKey } : { channel: p.ctx.channel, sessionKey: p.ctx.sessionKey, peer: p.ctx.peer };
        return cmd.execute(p.args, ctx);
      }
      case "service.start":
      case "service.stop": {
        const p = parse(ServiceParamsSchema, params);
        const svc = this.#loaded().services.find((s) => s.id === p.id);
        if (!svc) throw new RunnerRequestError(RunnerErrorCode.InvalidParams, `no service ${p.id}`);
        await (method === "service.start" ? svc.start() : svc.stop());
        return null;
      }
      case "shutdown":
        setTimeout(() => process.exit(0), 0);
        return null;
      default:
        throw new RunnerRequestError(RunnerErrorCode.MethodNotFound, `unknown method ${method}`);
    }
  }

  #loaded(): LoadedPlugin {
    if (!this.#plugin) throw new RunnerRequestError(RunnerErrorCode.InvalidParams, "the plugin is not initialised (init first)");
    return this.#plugin;
  }
}

class RunnerRequestError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, v: unknown): T {
  const r = schema.safeParse(v);
  if (!r.success) throw new RunnerRequestError(RunnerErrorCode.InvalidParams, r.error.message);
  return r.data;
}

function declare(p: LoadedPlugin): Declaration {
  return {
    id: p.id,
    hooks: p.hooks.map((h) => ({ name: h.name as HookName, priority: h.priority })),
    tools: p.tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
    commands: p.commands.map((c) => ({ name: c.name, description: c.description })),
    services: p.services.map((s) => s.id),
  };
}

function pluginLogger(log: (level: LogParams["level"], m: string, f?: Record<string, unknown>) => void): PluginLogger {
  return {
    debug: (m, f) => log("debug", m, f),
    info: (m, f) => log("info", m, f),
    warn: (m, f) => log("warn", m, f),
    error: (m, f) => log("error", m, f),
  };
}

/** console.* and stray process.stdout writes become log notifications; stdout stays the protocol's. */
function captureOutput(log: (level: LogParams["level"], message: string) => void): void {
  const fmt = (args: unknown[]) => args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 4 }))).join(" ");
  const c = console as unknown as Record<string, (...a: unknown[]) => void>;
  const levels: [string, LogParams["level"]][] = [["log", "info"], ["info", "info"], ["debug", "debug"], ["trace", "debug"], ["warn", "warn"], ["error", "error"]];
  for (const [m, level] of levels) c[m] = (...args: unknown[]) => log(level, fmt(args));
  process.stdout.write = ((chunk: unknown) => {
    log("info", typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    return true;
  }) as typeof process.stdout.write;
}

function safeFields(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
  } catch {
    return { fields: inspect(fields, { depth: 2 }) };
  }
}
