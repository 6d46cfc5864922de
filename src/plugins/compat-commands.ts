/**
 * OpenClaw `api.registerCommand({ name, description, handler(ctx) })` and
 * `api.registerService({ id, start(ctx), stop(ctx) })` → LoadedCommand / LoadedService.
 * The command handler gets OpenClaw's context (`args`, `commandBody`, `channel`, `senderId`,
 * `config`) and answers `{ text }` (or a string).
 */
import type { LoadContext, LoadedCommand, LoadedService } from "./loaded.ts";
import { PluginLoadError } from "./load-errors.ts";
import { COMMAND_NAME } from "./load-native.ts";

export function adaptCommand(ctx: LoadContext, raw: unknown): LoadedCommand {
  const c = (raw ?? {}) as Record<string, unknown>;
  const name = typeof c.name === "string" ? c.name.replace(/^\//, "") : c.name;
  if (typeof name !== "string" || !COMMAND_NAME.test(name)) throw new PluginLoadError(`plugin ${ctx.id}: api.registerCommand: the command name ${JSON.stringify(c.name)} must be letters, digits, _ or -`);
  const handler = c.handler ?? c.execute;
  if (typeof handler !== "function") throw new PluginLoadError(`plugin ${ctx.id}: api.registerCommand: command ${name} has no handler(ctx) function`);
  return {
    name,
    description: typeof c.description === "string" ? c.description : name,
    async execute(args, call) {
      const r = (await handler.call(c, {
        args,
        commandBody: args ? `/${name} ${args}` : `/${name}`,
        channel: call.channel,
        senderId: call.peer,
        from: call.peer,
        sessionKey: call.sessionKey,
        isAuthorizedSender: true,
        config: ctx.config,
      })) as unknown;
      if (typeof r === "string") return { text: r };
      const text = (r as { text?: unknown } | undefined)?.text;
      return { text: typeof text === "string" ? text : "" };
    },
  };
}

export function adaptService(ctx: LoadContext, raw: unknown): LoadedService {
  const s = (raw ?? {}) as Record<string, unknown>;
  if (typeof s.id !== "string" || !s.id) throw new PluginLoadError(`plugin ${ctx.id}: api.registerService: a service needs an id (a non-empty string)`);
  if (typeof s.start !== "function") throw new PluginLoadError(`plugin ${ctx.id}: api.registerService: service ${s.id} has no start(ctx) function`);
  const serviceCtx = { config: ctx.config, workspaceDir: ctx.dataDir, stateDir: ctx.dataDir, logger: ctx.logger };
  const start = s.start as (c: unknown) => unknown;
  const stop = s.stop as ((c: unknown) => unknown) | undefined;
  return {
    id: s.id,
    start: async () => void (await start.call(s, serviceCtx)),
    stop: async () => void (await stop?.call(s, serviceCtx)),
  };
}
