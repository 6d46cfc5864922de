/**
 * Makes the SDK specifiers a plugin imports resolve to our modules: `openclaw-bun/plugin-sdk`
 * (our SDK) and `openclaw/plugin-sdk` with its subpaths (the OpenClaw shim). A Bun runtime plugin
 * with `build.module()` virtual modules: measured to work under `bun` and inside a
 * `bun build --compile` binary, and to win over an `openclaw` package in the plugin's own
 * node_modules. Runtime `onResolve` never sees bare specifiers (measured, Bun 1.4.5), so every
 * subpath is registered by name; an unknown one fails at import and load.ts names it.
 */
import * as sdk from "../../plugin-sdk/index.ts";

export const SDK_SPECIFIER = "openclaw-bun/plugin-sdk";

let installed = false;
const extra = new Map<string, () => Record<string, unknown>>();

/** Register more virtual modules (the OpenClaw shim's subpaths); call before installSdkModules(). */
export function provideModule(specifier: string, exports: () => Record<string, unknown>): void {
  if (installed) throw new Error(`provideModule(${specifier}) after the SDK modules were installed`);
  extra.set(specifier, exports);
}

/** Idempotent: the first call installs the runtime plugin for this process. */
export function installSdkModules(): void {
  if (installed) return;
  installed = true;
  const modules = new Map<string, () => Record<string, unknown>>([[SDK_SPECIFIER, () => ({ ...sdk })], ...extra]);
  Bun.plugin({
    name: "openclaw-plugin-sdk",
    setup(build) {
      for (const [specifier, exports] of modules) build.module(specifier, () => ({ exports: exports(), loader: "object" }));
    },
  });
}

export function providedModules(): string[] {
  return [SDK_SPECIFIER, ...extra.keys()];
}
