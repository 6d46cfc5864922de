/**
 * `openclaw plugins list | info <id> | enable <id> | disable <id> | install <path|npm-spec> [--force]`.
 * list/info read discovery (no plugin code runs) and, when the gateway is running, its live view
 * (running, restarting, disabled after crashes and why). enable/disable edit the config file;
 * install copies or npm-installs into <state dir>/extensions/<id> without running install scripts.
 * Changes take effect at the gateway's next start (or `plugins.restart` for a loaded plugin).
 */
import { defineCommand } from "citty";
import type { PluginRow } from "../ops/plugins.ts";
import { loadCliConfig, output } from "./output.ts";

const idArg = { type: "positional", required: true, description: "the plugin id (see openclaw plugins list)" } as const;

function state(p: PluginRow): string {
  if (p.live) return `${p.live.state}${p.live.reason ? ` (${p.live.reason})` : ""}${p.live.crashes ? `, ${p.live.crashes} crash(es)` : ""}`;
  return `${p.configured}${p.reason ? ` (${p.reason})` : ""}`;
}

function line(p: PluginRow): string {
  return `${p.id}${p.version ? `@${p.version}` : ""}  ${state(p)}  ${p.dir}`;
}

const list = defineCommand({
  meta: { name: "list", description: "List discovered plugins and their state" },
  async run() {
    const loaded = await loadCliConfig();
    const { pluginReport } = await import("../ops/plugins.ts");
    const r = await pluginReport(loaded);
    output(() => (r.plugins.length ? r.plugins.map(line).join("\n") : "no plugins (openclaw plugins install <path|npm-spec>)") + `\ngateway: ${r.gateway}`, r as unknown as Record<string, unknown>);
  },
});

const info = defineCommand({
  meta: { name: "info", description: "Show one plugin: manifest, state, hooks, tools, commands" },
  args: { id: idArg },
  async run({ args }) {
    const loaded = await loadCliConfig();
    const { findPlugin, pluginReport } = await import("../ops/plugins.ts");
    const p = findPlugin(await pluginReport(loaded), String(args.id));
    const l = p.live;
    const text = [
      `${p.id}${p.name ? ` — ${p.name}` : ""}${p.version ? ` ${p.version}` : ""}`,
      `dir: ${p.dir} (${p.source})`,
      `state: ${state(p)}`,
      ...(l ? [`pid: ${l.pid ?? "-"}  restarts: ${l.restarts}  network: ${l.network ? "on" : "off"}`, `hooks: ${l.hooks.join(", ") || "-"}`, `tools: ${l.tools.join(", ") || "-"}`, `commands: ${l.commands.map((c) => `/${c}`).join(", ") || "-"}`] : []),
    ].join("\n");
    output(text, { plugin: p });
  },
});

function toggle(enabled: boolean) {
  return defineCommand({
    meta: { name: enabled ? "enable" : "disable", description: `${enabled ? "Enable" : "Disable"} a plugin (plugins.entries.<id>.enabled)` },
    args: { id: idArg },
    async run({ args }) {
      const { setPluginEnabled } = await import("../ops/plugins.ts");
      const id = String(args.id);
      const r = setPluginEnabled(id, enabled);
      output(`${id} ${enabled ? "enabled" : "disabled"} in ${r.path}${r.changed ? "" : " (already)"}; restart the gateway to apply`, { id, enabled, ...r });
    },
  });
}

const install = defineCommand({
  meta: { name: "install", description: "Install a plugin from a directory or an npm spec into <state dir>/extensions/<id> (no install scripts run)" },
  args: {
    spec: { type: "positional", required: true, description: "a plugin directory, or an npm spec (name, name@version, .tgz, git URL)" },
    force: { type: "boolean", description: "replace an installed plugin with the same id" },
  },
  async run({ args }) {
    const { installPlugin } = await import("../ops/plugin-install.ts");
    const r = installPlugin(String(args.spec), { force: args.force === true });
    output(`installed ${r.id} into ${r.dir}${r.replaced ? " (replaced)" : ""}; restart the gateway to load it`, { ...r });
  },
});

export const command = defineCommand({
  meta: { name: "plugins", description: "List, inspect, enable, disable and install plugins" },
  subCommands: { list, info, enable: toggle(true), disable: toggle(false), install },
});
