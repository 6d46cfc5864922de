/**
 * An OpenClaw plugin (`register(api)`, from `export default { id, register }`,
 * `definePluginEntry`, or a bare function) → LoadedPlugin. register() runs once with the shim's
 * api (compat-api.ts); tool factories run after it. Any use of an api member this runtime lacks
 * fails the load with "not supported by this runtime: api.X", even if the plugin caught the throw.
 */
import { errorMessage } from "../core/errors.ts";
import type { LoadContext, LoadedPlugin } from "./loaded.ts";
import { PluginLoadError, PluginUnsupportedError } from "./load-errors.ts";
import { assertUnique } from "./load-native.ts";
import { createOpenClawApi, type Registrations } from "./compat-api.ts";
import { adaptTool } from "./compat-tools.ts";

export async function loadOpenClaw(register: (api: unknown) => unknown, meta: Record<string, unknown>, entryPath: string, ctx: LoadContext): Promise<LoadedPlugin> {
  if (typeof meta.id === "string" && meta.id !== ctx.id) ctx.logger.warn(`plugin ${ctx.id}: the entry says id "${meta.id}", the manifest "${ctx.id}"; using the manifest id`);
  const reg: Registrations = { hooks: [], tools: [], commands: [], services: [], factories: [], unsupported: [], touched: [] };
  const api = createOpenClawApi(ctx, meta, entryPath, reg);
  try {
    await register(api);
  } catch (err) {
    if (err instanceof PluginUnsupportedError || err instanceof PluginLoadError) throw prefixed(ctx.id, err);
    const touched = reg.touched.at(-1);
    if (touched) throw new PluginUnsupportedError(`plugin ${ctx.id}: not supported by this runtime: ${touched} (register(api) then threw: ${errorMessage(err)})`, { cause: err });
    throw new PluginLoadError(`plugin ${ctx.id}: register(api) threw: ${errorMessage(err)}`, { cause: err });
  }
  if (reg.unsupported.length) throw new PluginUnsupportedError(`plugin ${ctx.id}: not supported by this runtime: ${[...new Set(reg.unsupported)].join(", ")}`);
  for (const { factory } of reg.factories) {
    let made: unknown;
    try {
      made = await factory({ config: ctx.config, pluginConfig: ctx.pluginConfig, workspaceDir: ctx.dataDir, agentId: "main" });
    } catch (err) {
      throw new PluginLoadError(`plugin ${ctx.id}: a tool factory threw: ${errorMessage(err)}`, { cause: err });
    }
    for (const t of Array.isArray(made) ? made : made ? [made] : []) reg.tools.push(adaptTool(ctx.id, t));
  }
  assertUnique(ctx.id, "tool", reg.tools.map((t) => t.name));
  assertUnique(ctx.id, "command", reg.commands.map((c) => c.name));
  return { id: ctx.id, hooks: reg.hooks, tools: reg.tools, commands: reg.commands, services: reg.services };
}

function prefixed(id: string, err: Error): Error {
  if (err.message.startsWith(`plugin ${id}:`)) return err;
  const Cls = err instanceof PluginUnsupportedError ? PluginUnsupportedError : PluginLoadError;
  return new Cls(`plugin ${id}: ${err.message}`, { cause: err });
}
