/**
 * A session export (JSON lines: a `{type:"session"}` header, then one stored event per line) as a
 * Markdown transcript a person reads: user and assistant messages, tool calls with their input,
 * tool results, and how each run ended. Lines that are not events of a known type are skipped, so
 * an export from a newer gateway still renders.
 */
import { StoredEventDataSchema, type StoredEvent } from "../core/events.ts";
import { toHistoryEntry, type HistoryEntry } from "../gateway/history-entries.ts";

const when = (ts: number) => new Date(ts).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");

/** A fence longer than any backtick run inside `text`. */
function fenced(text: string, lang = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

function entryMarkdown(e: HistoryEntry): string[] {
  switch (e.kind) {
    case "message": {
      const out = [`## ${e.role === "user" ? "User" : "Assistant"} · ${when(e.ts)}`, ""];
      if (e.text) out.push(e.text, "");
      for (const c of e.toolCalls ?? []) out.push(`**Tool call** \`${c.name}\` (${c.id})`, "", fenced(JSON.stringify(c.input, null, 2) ?? "null", "json"), "");
      return out;
    }
    case "tool_result":
      return e.results.flatMap((r) => [`**Tool result** (${r.toolCallId})${r.isError ? " · error" : ""}`, "", fenced(r.text), ""]);
    case "run_finished":
      return e.outcome === "ok" ? [] : [`_run ${e.outcome}${e.reason ? `: ${e.reason}` : ""}_`, ""];
    case "compaction":
      return ["_earlier messages were compacted:_", "", `> ${e.summary.split("\n").join("\n> ")}`, ""];
    case "session_reset":
      return [`_session reset${e.reason ? `: ${e.reason}` : ""}_`, ""];
    case "run_started":
      return [];
  }
}

export function jsonlToMarkdown(jsonl: string, sessionKey: string): string {
  const out: string[] = [`# Session ${sessionKey}`, ""];
  for (const line of jsonl.split("\n")) {
    if (!line.trim()) continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      continue;
    }
    const r = row as { type?: string; session?: Record<string, unknown>; data?: unknown };
    if (r.type === "session" && r.session) {
      const s = r.session;
      const facts = [`agent ${String(s.agentId)}`, s.channel ? `channel ${String(s.channel)}` : null, s.peer ? `peer ${String(s.peer)}` : null];
      if (typeof s.createdAt === "number") facts.push(`created ${when(s.createdAt)}`);
      if (s.title) out.splice(1, 0, "", String(s.title));
      out.push(facts.filter(Boolean).join(" · "), "");
      continue;
    }
    const data = StoredEventDataSchema.safeParse(r.data);
    if (!data.success) continue;
    out.push(...entryMarkdown(toHistoryEntry({ ...(row as StoredEvent), data: data.data })));
  }
  return out.join("\n").replace(/\n+$/, "") + "\n";
}
