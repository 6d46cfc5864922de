/**
 * `openclaw status [--json]`: what the running gateway says about itself, or, when none runs,
 * that it does not and the offline facts. Exit 0 either way (the JSON says `running`); 1 when a
 * gateway answers but refuses the token.
 */
import { defineCommand } from "citty";
import type { OfflineFacts, StatusReport } from "../ops/status.ts";
import { redact } from "../core/secrets.ts";
import { clusterLines } from "../ops/storage-status.ts";
import { output } from "./output.ts";

function bytes(n: unknown): string {
  if (typeof n !== "number") return "?";
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function offline(o: OfflineFacts): string[] {
  return [
    `config:    ${o.configPath}${o.configExists ? "" : " (not found: defaults)"}`,
    `state dir: ${o.stateDir}`,
    o.storage
      ? `database:  postgres ${o.storage.url} schema ${o.storage.schema}: ${o.storage.reachable ? `reachable, ${o.storage.schemaVersion === null ? "not created yet" : `schema version ${o.storage.schemaVersion}`}` : `UNREACHABLE (${o.storage.reason ?? "?"})`}`
      : `database:  ${o.databasePath} (${o.databaseBytes === null ? "not created yet" : bytes(o.databaseBytes)})`,
    ...(o.storage ? clusterLines(o.storage) : []),
    `daemon:    ${o.daemon ? `${o.daemon.unit}: ${o.daemon.state}` : "no unit installed (openclaw daemon install)"}`,
  ];
}

function clusterLine(c: unknown): string[] {
  const x = c as { nodeId?: string; multiNode?: boolean; nodesAlive?: number; leasesHeld?: number; leader?: string[]; error?: string } | undefined;
  if (!x?.multiNode) return [];
  if (x.error) return [`cluster:   node ${x.nodeId} · database: ${x.error}`];
  return [`cluster:   node ${x.nodeId} · ${x.nodesAlive} node${x.nodesAlive === 1 ? "" : "s"} alive · ${x.leasesHeld} lease${x.leasesHeld === 1 ? "" : "s"} held here${x.leader?.length ? ` (leader: ${x.leader.join(", ")})` : ""}`];
}

function updateLine(r: StatusReport): string[] {
  const u = r.update;
  if (!u) return [];
  if ("error" in u) return [`update:    could not check (${u.error})`];
  return [u.available ? `update:    ${u.latest} available (running ${u.current}): openclaw update` : `update:    up to date (${u.current})`];
}

export function formatStatus(r: StatusReport): string {
  const warning = [...updateLine(r), ...(r.configError ? [`warning: the config does not load, so the default address was asked: ${r.configError} (openclaw doctor)`] : [])];
  if (!r.running) return [`gateway: not running (${r.reason})`, ...offline(r.offline), "start it: openclaw gateway run (or openclaw daemon start)", ...warning].join("\n");
  const g = r.gateway;
  const channels = Array.isArray(g.channels) ? (g.channels as { id?: string; state?: string }[]).map((c) => `${c.id ?? "?"} ${c.state ?? "?"}`).join(", ") : "";
  return [
    `gateway:   running at ${r.url} (version ${String(g.version)}, up ${String(g.uptimeS)} s${g.bind ? `, bound to ${String(g.bind)}` : ""})`,
    `sessions:  ${String(g.sessions)} · runs in flight: ${String(g.runsInFlight)} · connections: ${String(g.connections ?? 0)}`,
    `channels:  ${channels || "none"}`,
    ...(Array.isArray(g.plugins) && g.plugins.length ? [`plugins:   ${(g.plugins as { id: string; state: string; reason?: string }[]).map((p) => `${p.id} ${p.state}${p.state === "disabled" && p.reason ? ` (${p.reason})` : ""}`).join(", ")}`] : []),
    `memory:    ${bytes(g.rssBytes)} RSS · store ${bytes(g.storeBytes)}`,
    ...clusterLine(g.cluster),
    ...(g.stateDir ? [`state dir: ${String(g.stateDir)}`] : []),
    ...warning,
  ].join("\n");
}

export const command = defineCommand({
  meta: { name: "status", description: "Ask the running gateway how it is (or say it is not running, with the offline facts)" },
  async run() {
    const { gatewayStatus } = await import("../ops/status.ts");
    const { VERSION } = await import("./version.ts");
    const report = await gatewayStatus({ version: VERSION });
    output(() => redact(formatStatus(report)), report);
  },
});
