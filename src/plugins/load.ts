/**
 * loadPlugin: import a plugin's entry inside the plugin process and turn whatever shape it
 * exports into a LoadedPlugin. Shapes, by the entry's default export (or CommonJS module.exports):
 *   - our SDK: what `definePlugin({...})` returned                       → load-native.ts
 *   - OpenClaw: `{ id, register(api) }` (also what `definePluginEntry` returns), or a bare
 *     `function register(api)`                                            → compat.ts
 * Anything else is a PluginLoadError that says which shapes are accepted.
 */
import { errorMessage } from "../core/errors.ts";
import { isDefinedPlugin } from "../../plugin-sdk/index.ts";
import type { LoadContext, LoadedPlugin, LoadPlugin } from "./loaded.ts";
import { PluginLoadError } from "./load-errors.ts";
import { loadNative } from "./load-native.ts";
import { installSdkModules, provideModule, providedModules } from "./load-resolve.ts";
import { loadOpenClaw } from "./compat.ts";
import { OPENCLAW_SDK_MODULES } from "./compat-sdk.ts";

for (const [specifier, exports] of Object.entries(OPENCLAW_SDK_MODULES)) provideModule(specifier, () => exports);

export type EntryShape =
  | { kind: "native"; value: Parameters<typeof loadNative>[0] }
  | { kind: "openclaw"; register: (api: unknown) => unknown; meta: Record<string, unknown> };

/** Which plugin shape a module namespace holds; null if none. */
export function detectShape(mod: Record<string, unknown>): EntryShape | null {
  const candidates = [mod.default, (mod.default as Record<string, unknown> | undefined)?.default, mod];
  for (const c of candidates) {
    if (isDefinedPlugin(c)) return { kind: "native", value: c };
    if (typeof c === "function") return { kind: "openclaw", register: c as (api: unknown) => unknown, meta: {} };
    if (c && typeof c === "object") {
      const o = c as Record<string, unknown>;
      const register = typeof o.register === "function" ? o.register : typeof o.activate === "function" ? o.activate : undefined;
      if (register) return { kind: "openclaw", register: register.bind(o) as (api: unknown) => unknown, meta: o };
    }
  }
  return null;
}

export const loadPlugin: LoadPlugin = async (entryPath: string, ctx: LoadContext): Promise<LoadedPlugin> => {
  installSdkModules();
  let mod: Record<string, unknown>;
  try {
    mod = (await import(entryPath)) as Record<string, unknown>;
  } catch (err) {
    throw new PluginLoadError(`plugin ${ctx.id}: importing ${entryPath} failed: ${explainImportError(err)}`, { cause: err });
  }
  const shape = detectShape(mod);
  if (!shape) {
    throw new PluginLoadError(
      `plugin ${ctx.id}: ${entryPath} exports no plugin; export default definePlugin({...}) from "openclaw-bun/plugin-sdk", ` +
        `or an OpenClaw plugin: export default { id, register(api) { … } } or export default function register(api) { … }`,
    );
  }
  if (shape.kind === "native") return loadNative(shape.value, ctx);
  return loadOpenClaw(shape.register, shape.meta, entryPath, ctx);
};

/** A missing SDK subpath gets named with the ones this runtime provides. */
function explainImportError(err: unknown): string {
  const msg = errorMessage(err);
  const m = /Cannot find (?:package|module) '((?:openclaw|openclaw-bun)(?:\/[^']*)?)'/.exec(msg);
  if (!m) return msg;
  return `${msg}; an import of ${m[1]} must name one of the SDK modules this runtime provides: ${providedModules().join(", ")}`;
}
