/**
 * plugins.list (every discovered plugin: state running | starting | restarting | disabled |
 * stopped | skipped | refused, with the reason, crash and restart counts, what it declared) and
 * plugins.restart (restart one now; re-enables a plugin disabled after repeated crashes).
 */
import { z } from "zod";
import { NotFoundError } from "../../../core/errors.ts";
import type { Gateway } from "../../gateway.ts";
import { defineMethod, type MethodDef } from "../method.ts";

export function pluginMethods(gw: Gateway): MethodDef[] {
  return [
    defineMethod({ name: "plugins.list", scope: "read", params: z.strictObject({}), handler: () => ({ plugins: gw.deps.plugins?.list() ?? [] }) }),
    defineMethod({
      name: "plugins.restart",
      scope: "admin",
      params: z.strictObject({ id: z.string().min(1).max(128) }),
      handler: async (p) => {
        if (!gw.deps.plugins) throw new NotFoundError(`no plugin ${p.id}: this gateway runs no plugin host`);
        return { plugin: await gw.deps.plugins.restart(p.id) };
      },
    }),
  ];
}
