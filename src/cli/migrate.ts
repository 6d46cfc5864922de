/**
 * `openclaw migrate [--from ~/.openclaw] [--dry-run] [--json]`: imports an OpenClaw home
 * (ops/migrate.ts) and prints what it did: config, workspace files, sessions, pairing, plugins, and
 * every file it skipped with the reason. Exit 0 when it ran (skipped files included: they are in
 * the report), 1 when it could not start (no such home, a gateway running on this state dir).
 */
import { defineCommand } from "citty";
import type { MigrateReport } from "../ops/migrate-types.ts";
import { redact } from "../core/secrets.ts";
import { output } from "./output.ts";

const CONFIG_ACTION: Record<MigrateReport["config"]["action"], string> = {
  none: "no openclaw.json found",
  "in-place": "already in place (this is the config file we load)",
  written: "copied",
  merged: "merged (keys we lacked added; ours kept)",
  kept: "nothing to add (ours already has every key)",
};

export function formatMigrate(r: MigrateReport): string {
  const would = r.dryRun ? "would import" : "imported";
  const lines = [
    `${r.dryRun ? "dry run: nothing written. " : ""}from ${r.from} into ${r.stateDir}`,
    `config:    ${r.config.source ? `${r.config.source} → ${r.config.target}: ${r.dryRun && r.config.action !== "in-place" && r.config.action !== "none" ? "would be " : ""}${CONFIG_ACTION[r.config.action]}` : CONFIG_ACTION.none}`,
    ...(r.config.noEffect.length ? [`           no effect in this version (kept in the file): ${r.config.noEffect.join(", ")}`] : []),
    `workspace: ${r.workspace.copied.length} file(s) ${r.dryRun ? "to copy" : "copied"}${r.workspace.copied.length ? ` (${r.workspace.copied.join(", ")})` : ""}` +
      `${r.workspace.kept.length ? `, ${r.workspace.kept.length} kept (already here)` : ""}${r.workspace.inPlace.length ? `, ${r.workspace.inPlace.length} already in place` : ""}`,
    `sessions:  ${r.sessions.found} found, ${would} ${r.sessions.imported} (${r.sessions.messages} messages, ${r.sessions.events} events), ${r.sessions.already} already imported`,
    `pairing:   ${r.pairing.found} Telegram sender(s) found, ${would} ${r.pairing.imported}, ${r.pairing.already} already here`,
    `plugins:   ${r.plugins.entries.length ? `entries ${r.plugins.entries.join(", ")} (kept in plugins.entries)` : "no plugin entries"}${r.plugins.extensions.length ? `; installed: ${r.plugins.extensions.join(", ")}` : ""}${r.plugins.note ? ` (${r.plugins.note})` : ""}`,
    ...(r.problems.length ? ["skipped:", ...r.problems.map((p) => `  ${p.path}: ${p.problem.replace(/\n/g, "\n    ")}`)] : []),
  ];
  if (!r.dryRun && (r.sessions.imported || r.pairing.imported || r.config.action === "written" || r.config.action === "merged")) lines.push("restart the gateway (if it runs as a service: openclaw daemon restart) to use what was imported");
  return lines.join("\n");
}

export const command = defineCommand({
  meta: { name: "migrate", description: "Import an OpenClaw home: config, workspace files, session transcripts, Telegram pairing, plugin entries" },
  args: {
    from: { type: "string", valueHint: "dir", description: "the OpenClaw home (default ~/.openclaw)" },
    "dry-run": { type: "boolean", description: "count what would be imported; write nothing" },
  },
  async run({ args }) {
    const { runMigrate } = await import("../ops/migrate.ts");
    const report = await runMigrate({ ...(args.from ? { from: String(args.from) } : {}), dryRun: args["dry-run"] === true });
    output(() => redact(formatMigrate(report)), report as unknown as Record<string, unknown>);
  },
});
