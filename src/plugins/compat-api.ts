/**
 * The `api` object an OpenClaw plugin's `register(api)` receives. The members this runtime
 * implements are listed in SUPPORTED (docs/plugins.md "Porting from OpenClaw"); reading any other
 * member gives a function that, when called, records and throws "not supported by this runtime:
 * api.X" — a feature test such as `api.runtime?.events?.onAgentEvent` still sees nothing there.
 * The recorded calls fail the load even if the plugin caught the throw: never a silent no-op; and
 * when register() fails after reading such a member (`api.runtime.tts.speak(…)`), the error names it.
 */
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import type { LoadContext, LoadedCommand, LoadedHook, LoadedService, LoadedTool, PluginLogger } from "./loaded.ts";
import { PluginUnsupportedError } from "./load-errors.ts";
import { adaptCommand, adaptService } from "./compat-commands.ts";
import { adaptHook, type OpenClawHandler } from "./compat-hooks.ts";
import { adaptTool } from "./compat-tools.ts";

export const RUNTIME_VERSION = "2026.4.24-openclaw-bun";

export interface Registrations {
  hooks: LoadedHook[];
  tools: LoadedTool[];
  commands: LoadedCommand[];
  services: LoadedService[];
  /** tool factories run after register() returns, like OpenClaw does per run (here: once) */
  factories: { factory: (c: unknown) => unknown; names?: string[] }[];
  unsupported: string[];
  /** unsupported members read (not called): named if register() then fails */
  touched: string[];
}

export const SUPPORTED = [
  "id", "name", "version", "description", "source", "rootDir", "registrationMode", "config", "pluginConfig",
  "logger", "runtime", "resolvePath", "registerTool", "registerCommand", "registerService", "on",
] as const;

export function createOpenClawApi(ctx: LoadContext, meta: Record<string, unknown>, entryPath: string, reg: Registrations): Record<string, unknown> {
  const logger = consoleStyleLogger(ctx.logger);
  const base: Record<string, unknown> = {
    id: ctx.id,
    name: typeof meta.name === "string" ? meta.name : ctx.id,
    version: typeof meta.version === "string" ? meta.version : undefined,
    description: typeof meta.description === "string" ? meta.description : undefined,
    source: entryPath,
    rootDir: ctx.dir,
    registrationMode: "full",
    config: ctx.config,
    pluginConfig: ctx.pluginConfig,
    logger,
    runtime: guarded("api.runtime", reg, {
      version: RUNTIME_VERSION,
      config: guarded("api.runtime.config", reg, { loadConfig: () => ctx.config }),
      state: guarded("api.runtime.state", reg, { resolveStateDir: () => ctx.dataDir }),
      logging: guarded("api.runtime.logging", reg, { getChildLogger: () => logger, shouldLogVerbose: () => false }),
    }),
    resolvePath: (input: string) => resolvePluginPath(ctx.dataDir, input),
    registerTool(tool: unknown, opts?: { names?: string[]; name?: string }) {
      if (typeof tool === "function") reg.factories.push({ factory: tool as (c: unknown) => unknown, ...(opts?.names ? { names: opts.names } : {}) });
      else reg.tools.push(adaptTool(ctx.id, tool));
    },
    registerCommand(command: unknown) {
      reg.commands.push(adaptCommand(ctx, command));
    },
    registerService(service: unknown) {
      reg.services.push(adaptService(ctx, service));
    },
    on(hookName: string, handler: OpenClawHandler, opts?: { priority?: number }) {
      if (typeof handler !== "function") throw new PluginUnsupportedError(`plugin ${ctx.id}: api.on("${hookName}") needs a handler function`);
      const hook = adaptHook(hookName, handler, opts?.priority ?? 0, ctx.id, ctx.logger);
      if (!hook) unsupported(reg, `api.on("${hookName}")`);
      else reg.hooks.push(hook);
    },
  };
  return guarded("api", reg, base);
}

function unsupported(reg: Registrations, what: string): never {
  reg.unsupported.push(what);
  throw new PluginUnsupportedError(`not supported by this runtime: ${what}`);
}

/** A read-only view: known members as given; any other name → a function that throws when called. */
function guarded(path: string, reg: Registrations, target: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(target, {
    get(t, key) {
      if (typeof key === "symbol" || key in t) return t[key as string];
      if (key === "then" || key === "toJSON") return undefined; // not a thenable, JSON-safe
      const what = `${path}.${key}`;
      reg.touched.push(what);
      return () => unsupported(reg, what);
    },
    set(_t, key) {
      throw new PluginUnsupportedError(`not supported by this runtime: assigning ${path}.${String(key)}`);
    },
  });
}

/** `~` is the home directory; a relative path is under the plugin's data dir (the one it may write). */
export function resolvePluginPath(dataDir: string, input: string): string {
  if (input === "~" || input.startsWith("~/")) return resolve(homedir(), input.slice(2));
  return isAbsolute(input) ? resolve(input) : resolve(dataDir, input);
}

/** OpenClaw plugins log like `api.logger.info(message)`; extra args are folded into fields. */
function consoleStyleLogger(log: PluginLogger): PluginLogger {
  const wrap = (f: PluginLogger["info"]) => (message: unknown, fields?: unknown) =>
    f(typeof message === "string" ? message : JSON.stringify(message), fields && typeof fields === "object" ? (fields as Record<string, unknown>) : undefined);
  return { debug: wrap(log.debug), info: wrap(log.info), warn: wrap(log.warn), error: wrap(log.error) };
}
