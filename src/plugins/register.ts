/**
 * What a handshake declared, registered with the runtime: each declared hook on every agent's
 * dispatcher (THE one in agent/hooks.ts, with the plugin's priority, the hook timeout and the
 * plugin id as `source`), and each declared tool (tools.ts) on every agent. A hook the plugin did
 * not declare is never registered, so it costs nothing. A plugin tool whose name is already taken
 * (a built-in or another plugin's) is refused with a warning: a plugin cannot replace `exec`.
 */
import type { HookDispatcher, HookName } from "../agent/hooks.ts";
import type { Tool } from "../tools/types.ts";
import type { Declaration } from "./protocol.ts";
import type { PluginInstance } from "./instance.ts";
import { pluginTool } from "./tools.ts";

/** One agent runtime, as the plugin host sees it (AgentRuntime satisfies it). */
export interface HostTarget {
  hooks: HookDispatcher;
  withTools(tools: Tool[]): unknown;
  toolSpecs(): { name: string }[];
}

/** tool name → plugin id, per target: which plugin owns which tool name */
const owners = new WeakMap<HostTarget, Map<string, string>>();

export function registerDeclaration(inst: PluginInstance, d: Declaration, targets: readonly HostTarget[]): () => void {
  const offs: (() => void)[] = [];
  for (const t of targets) {
    d.hooks.forEach((h, index) => {
      const name = h.name as HookName;
      const handler = async (payload: unknown) => {
        try {
          return (await inst.call("hook", { index, name, payload })) ?? undefined;
        } catch (err) {
          inst.reportHookFailure(name, payload as { sessionKey?: string; runId?: string }, err);
          throw err;
        }
      };
      // the dispatcher's own timeout is a backstop; the call's timeout (which kills the plugin) fires first
      // equal priorities run in discovery order (not handshake order): a tie-break far below any real priority step
      const priority = h.priority - inst.o.order * 1e-9;
      offs.push(t.hooks.register(name, handler as never, { priority, timeoutMs: inst.o.timeoutMs + 1000, source: `plugin ${inst.id}` }));
    });
    addTools(inst, d, t);
  }
  return () => offs.forEach((off) => off());
}

function addTools(inst: PluginInstance, d: Declaration, t: HostTarget): void {
  let own = owners.get(t);
  if (!own) owners.set(t, (own = new Map()));
  const taken = new Set(t.toolSpecs().map((s) => s.name));
  const tools: Tool[] = [];
  for (const decl of d.tools) {
    const owner = own.get(decl.name);
    if ((taken.has(decl.name) && owner === undefined) || (owner !== undefined && owner !== inst.id)) {
      inst.o.log.warn(`plugin ${inst.id}: tool ${decl.name} is not registered: the name is taken by ${owner ? `plugin ${owner}` : "a built-in tool"}; rename the plugin's tool`);
      continue;
    }
    try {
      tools.push(pluginTool(inst.id, decl, { callTool: (name, input, ctx, ms, signal) => inst.call("tool.execute", { name, input, ctx }, ms, signal) }, inst.o.toolTimeoutMs));
      own.set(decl.name, inst.id);
    } catch (err) {
      inst.o.log.warn((err as Error).message);
    }
  }
  if (tools.length) t.withTools(tools);
}
