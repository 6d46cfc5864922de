/**
 * PLACEHOLDER until branch w12-sdk's load.ts lands (it replaces this file whole, adding OpenClaw
 * `register(api)` plugins): native plugins only — a module whose default export is
 * `{ id?, hooks?: { beforeToolCall: fn | { priority, handler } , … }, tools?, commands?, services? }`.
 */
import { HOOK_NAMES, type HookName } from "../agent/hooks.ts";
import type { LoadedHook, LoadedPlugin, LoadPlugin } from "./loaded.ts";

const camel = (n: HookName) => n[0]!.toLowerCase() + n.slice(1);

export const loadPlugin: LoadPlugin = async (entryPath, ctx) => {
  const mod = (await import(entryPath)) as { default?: unknown };
  const def = (mod.default ?? {}) as Record<string, unknown>;
  const hooksIn = (def.hooks ?? {}) as Record<string, unknown>;
  const hooks: LoadedHook[] = [];
  for (const name of HOOK_NAMES) {
    const h = hooksIn[camel(name)] ?? hooksIn[name];
    if (typeof h === "function") hooks.push({ name, priority: 0, handler: async (p) => h(p) });
    else if (h && typeof h === "object" && typeof (h as { handler?: unknown }).handler === "function") {
      const { handler, priority } = h as { handler: (p: unknown) => unknown; priority?: number };
      hooks.push({ name, priority: priority ?? 0, handler: async (p) => handler(p) as never });
    }
  }
  return {
    id: typeof def.id === "string" ? def.id : ctx.id,
    hooks,
    tools: (def.tools ?? []) as LoadedPlugin["tools"],
    commands: (def.commands ?? []) as LoadedPlugin["commands"],
    services: (def.services ?? []) as LoadedPlugin["services"],
  };
};
