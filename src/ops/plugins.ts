/**
 * What `openclaw plugins list | info` and the doctor know about plugins: discovery (read from the
 * config and the disk, no plugin code runs), joined with the running gateway's `plugins.list`
 * when one answers (its state: running, restarting, disabled after crashes and why). `enable` /
 * `disable` set `plugins.entries.<id>.enabled` in the config file (the gateway applies it at its
 * next start).
 */
import type { LoadedConfig } from "../config/load.ts";
import { stateDir } from "../config/paths.ts";
import { setConfigValue } from "../config/edit.ts";
import { NotFoundError } from "../core/errors.ts";
import type { PluginInfo } from "../plugins/host.ts";
import { discoverPlugins } from "../plugins/discover.ts";
import { callGateway } from "./gateway-client.ts";

export interface PluginRow {
  id: string;
  name?: string;
  version?: string;
  dir: string;
  source: string;
  /** discovery's verdict: will start | skipped by config | refused (bad manifest, config, ownership) */
  configured: "enabled" | "skipped" | "refused";
  reason?: string;
  /** the running gateway's view, when one answered */
  live?: PluginInfo;
}

export interface PluginReport {
  gateway: "running" | "not running";
  plugins: PluginRow[];
}

export async function pluginReport(loaded: Pick<LoadedConfig, "config" | "path" | "envOverrides">, opts: { state?: string; ask?: boolean } = {}): Promise<PluginReport> {
  const candidates = discoverPlugins({ config: loaded.config, configFile: loaded.path, stateDir: opts.state ?? stateDir() });
  let live: PluginInfo[] | undefined;
  if (opts.ask !== false) {
    const a = await callGateway<{ plugins: PluginInfo[] }>("plugins.list", {}, { config: loaded.config, envOverrides: loaded.envOverrides, timeoutMs: 5000 }).catch(() => null);
    if (a?.reachable) live = a.result.plugins;
  }
  const plugins = candidates.map((c): PluginRow => {
    const m = c.ready?.manifest;
    const l = live?.find((p) => p.id === c.id && p.dir === c.dir);
    return {
      id: c.id, ...(m?.name ? { name: m.name } : {}), ...(m?.version ? { version: m.version } : {}), dir: c.dir, source: c.source,
      configured: c.ready ? "enabled" : c.skipped ? "skipped" : "refused", ...(c.skipped || c.error ? { reason: c.skipped ?? c.error } : {}),
      ...(l ? { live: l } : {}),
    };
  });
  return { gateway: live ? "running" : "not running", plugins };
}

export function findPlugin(report: PluginReport, id: string): PluginRow {
  const row = report.plugins.find((p) => p.id === id);
  if (!row) throw new NotFoundError(`no plugin ${id}; installed: ${report.plugins.map((p) => p.id).join(", ") || "(none)"} (openclaw plugins install <path|npm-spec>)`);
  return row;
}

export function setPluginEnabled(id: string, enabled: boolean, path?: string): { path: string; changed: boolean } {
  const r = setConfigValue(`plugins.entries.${id}.enabled`, enabled, path ? { path } : {});
  return { path: r.path, changed: r.changed };
}
