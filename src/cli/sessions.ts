/**
 * `openclaw sessions list | show <key> | export <key> [--format jsonl|md] [--out file] | delete <key>`.
 * Through the running gateway when it is up, on the store when it is not (ops/sessions.ts); the
 * `--json` output carries `source: "gateway" | "store"`. `export` writes the transcript itself to
 * stdout (or `--out`), not wrapped in JSON.
 */
import { defineCommand } from "citty";
import type { HistoryEntry } from "../gateway/history-entries.ts";
import type { SessionRow } from "../ops/sessions.ts";
import { UsageError, globals, loadCliConfig, output } from "./output.ts";

const when = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");

function intFlag(name: string, raw: unknown, dflt: number): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!/^\d+$/.test(String(raw)) || n < 1 || n > 500) throw new UsageError(`--${name} must be a whole number from 1 to 500, got ${JSON.stringify(raw)}`);
  return n;
}

function row(s: SessionRow): string {
  const where = [s.channel, s.peer].filter(Boolean).join(":");
  return `${s.key}  agent ${s.agentId}${where ? `  ${where}` : ""}  ${s.lastSeq} events  updated ${when(s.updatedAt)}${s.active ? "  (running)" : ""}${s.title ? `  "${s.title}"` : ""}`;
}

function entryLine(e: HistoryEntry): string {
  const head = `#${e.seq} ${when(e.ts)}`;
  switch (e.kind) {
    case "message":
      return `${head} ${e.role}: ${e.text.replace(/\s+/g, " ").slice(0, 200)}${e.toolCalls?.length ? ` [tool calls: ${e.toolCalls.map((c) => c.name).join(", ")}]` : ""}`;
    case "tool_result":
      return `${head} tool result${e.results.some((r) => r.isError) ? " (error)" : ""}: ${e.results.map((r) => r.text.replace(/\s+/g, " ").slice(0, 120)).join(" | ")}`;
    case "run_started":
      return `${head} run started${e.model ? ` (${e.model})` : ""}`;
    case "run_finished":
      return `${head} run ${e.outcome} in ${e.durationMs} ms${e.reason ? `: ${e.reason}` : ""}`;
    case "compaction":
      return `${head} compacted: ${e.summary.slice(0, 120)}`;
    case "session_reset":
      return `${head} session reset`;
  }
}

const keyArg = { type: "positional", required: true, description: "the session key (see openclaw sessions list)" } as const;

const list = defineCommand({
  meta: { name: "list", description: "List sessions, most recently active first" },
  args: {
    limit: { type: "string", description: "at most this many (1-500, default 50)" },
    agent: { type: "string", description: "only this agent's sessions" },
    channel: { type: "string", description: "only this channel's sessions (telegram, …)" },
    cursor: { type: "string", description: "the nextCursor of the previous page" },
  },
  async run({ args }) {
    const { config } = await loadCliConfig();
    const { listSessions } = await import("../ops/sessions.ts");
    const opts = { limit: intFlag("limit", args.limit, 50), ...(args.agent ? { agentId: String(args.agent) } : {}), ...(args.channel ? { channel: String(args.channel) } : {}), ...(args.cursor ? { cursor: String(args.cursor) } : {}) };
    const r = await listSessions(opts, { config });
    output(() => (r.sessions.length ? r.sessions.map(row).join("\n") + (r.nextCursor ? `\nmore: --cursor ${r.nextCursor}` : "") : "no sessions"), r);
  },
});

const show = defineCommand({
  meta: { name: "show", description: "A session's details and its latest entries" },
  args: { key: keyArg, limit: { type: "string", description: "entries to show (1-500, default 20)" } },
  async run({ args }) {
    const { config } = await loadCliConfig();
    const { showSession } = await import("../ops/sessions.ts");
    const r = await showSession(String(args.key), { limit: intFlag("limit", args.limit, 20) }, { config });
    output(() => [row(r.session), `created ${when(r.session.createdAt)}`, ...(r.runs.length ? [`${r.runs.length} run(s) in flight`] : []), "", ...r.entries.map(entryLine)].join("\n"), r as unknown as Record<string, unknown>);
  },
});

const exportCmd = defineCommand({
  meta: { name: "export", description: "Export a session: JSON lines (every stored event) or a Markdown transcript" },
  args: {
    key: keyArg,
    format: { type: "string", description: "jsonl (default) or md" },
    out: { type: "string", description: "write to this file (mode 0600) instead of stdout" },
  },
  async run({ args }) {
    const format = String(args.format ?? "jsonl");
    if (format !== "jsonl" && format !== "md") throw new UsageError(`--format must be jsonl or md, got ${JSON.stringify(format)}`);
    const { config } = await loadCliConfig();
    const { exportSession } = await import("../ops/sessions.ts");
    const r = await exportSession(String(args.key), format, { config });
    if (args.out) {
      const { closeSync, fchmodSync, openSync, writeSync } = await import("node:fs");
      const fd = openSync(String(args.out), "w", 0o600);
      try {
        fchmodSync(fd, 0o600); // an existing file keeps its old mode on open: tighten it before the transcript goes in
        writeSync(fd, r.text);
      } finally {
        closeSync(fd);
      }
      output(`exported ${r.sessionKey} (${r.format}) to ${String(args.out)}`, { source: r.source, sessionKey: r.sessionKey, format: r.format, path: String(args.out) });
    } else if (globals().json) output("", r);
    else process.stdout.write(r.text);
  },
});

const del = defineCommand({
  meta: { name: "delete", description: "Delete a session and its events (a running turn in it is aborted)" },
  args: { key: keyArg },
  async run({ args }) {
    const { config } = await loadCliConfig();
    const { deleteSession } = await import("../ops/sessions.ts");
    const r = await deleteSession(String(args.key), { config });
    output(`deleted ${r.sessionKey}`, r);
  },
});

export const command = defineCommand({
  meta: { name: "sessions", description: "List, show, export and delete sessions (through the gateway when it runs)" },
  subCommands: { list, show, export: exportCmd, delete: del },
});
