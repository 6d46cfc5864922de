/**
 * Which plugins this gateway runs, decided from the config and the disk without running plugin
 * code. Sources, in order (the first directory with an id wins; a later one with the same id is
 * refused as a duplicate): each `plugins.load.paths` entry (a plugin directory), then every folder
 * of `<state dir>/extensions/`. `plugins.entries.<id>` gives `enabled`, `config` and `sandbox`.
 *
 * A plugin is skipped (listed with the reason, never started) when `plugins.enabled` is false, its
 * id is in `plugins.deny`, `plugins.allow` is non-empty and lacks it, or `entries.<id>.enabled` is
 * false. It is refused (listed with the error) when its directory fails manifest.ts's checks or its
 * config does not match its configSchema.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/schema.ts";
import { resolvePluginPath } from "../config/plugin-paths.ts";
import { errorMessage } from "../core/errors.ts";
import { readPluginDir, validatePluginConfig, type Manifest } from "./manifest.ts";

export interface PluginCandidate {
  id: string;
  dir: string;
  source: "load.paths" | "extensions";
  /** set when the plugin can start */
  ready?: { entry: string; manifest: Manifest; config: unknown; network: boolean };
  /** why it does not start: disabled by config, or refused */
  skipped?: string;
  error?: string;
}

export interface DiscoverOptions {
  config: Config;
  configFile: string;
  stateDir: string;
  uid?: number;
}

export function extensionsDir(stateDir: string): string {
  return join(stateDir, "extensions");
}

export function discoverPlugins(o: DiscoverOptions): PluginCandidate[] {
  const p = o.config.plugins;
  const dirs: { dir: string; source: PluginCandidate["source"] }[] = [
    ...p.load.paths.map((e) => ({ dir: resolvePluginPath(e, o.configFile), source: "load.paths" as const })),
    ...listDirs(extensionsDir(o.stateDir)).map((dir) => ({ dir, source: "extensions" as const })),
  ];
  const out: PluginCandidate[] = [];
  const seen = new Map<string, string>();
  for (const { dir, source } of dirs) {
    if (!existsSync(dir)) continue; // config/plugin-paths.ts already warns about a missing load path
    let pd;
    try {
      pd = readPluginDir(dir, o.uid);
    } catch (err) {
      out.push({ id: idGuess(dir), dir, source, error: errorMessage(err) });
      continue;
    }
    const id = pd.manifest.id;
    const c: PluginCandidate = { id, dir: pd.dir, source };
    const first = seen.get(id);
    if (first !== undefined) {
      out.push({ ...c, error: `plugin id ${id} is already loaded from ${first}; remove one of the two directories` });
      continue;
    }
    seen.set(id, pd.dir);
    const entry = p.entries[id];
    const skipped = !p.enabled
      ? "plugins.enabled is false"
      : p.deny.includes(id)
        ? `plugins.deny lists ${id}`
        : p.allow.length > 0 && !p.allow.includes(id)
          ? `plugins.allow does not list ${id}`
          : entry?.enabled === false
            ? `plugins.entries.${id}.enabled is false`
            : undefined;
    if (skipped) {
      out.push({ ...c, skipped });
      continue;
    }
    try {
      const config = validatePluginConfig(id, pd.manifest.configSchema, entry?.config);
      const network = entry?.sandbox.network ?? true;
      // with network a plugin shares the host's loopback: without gateway auth it could drive the gateway (and its tools)
      if (network && o.config.gateway.auth.mode === "none") {
        out.push({ ...c, error: `plugin ${id} has network access and gateway.auth.mode is "none", so it could call the gateway on loopback with full rights; set gateway.auth.mode to "token", or plugins.entries.${id}.sandbox.network to false` });
        continue;
      }
      out.push({ ...c, ready: { entry: pd.entry, manifest: pd.manifest, config, network } });
    } catch (err) {
      out.push({ ...c, error: errorMessage(err) });
    }
  }
  return out;
}

function listDirs(root: string): string[] {
  try {
    return readdirSync(root)
      .filter((n) => !n.startsWith(".")) // .install-* staging folders of `openclaw plugins install`
      .sort()
      .map((n) => join(root, n))
      .filter((p) => statSync(p).isDirectory());
  } catch {
    return [];
  }
}

function idGuess(dir: string): string {
  return dir.split("/").filter(Boolean).pop() ?? dir;
}
