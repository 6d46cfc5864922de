/** One line of a session's timeline, from a chat.history entry. */
import type { HistoryEntry } from "../rpc/types.ts";

export interface TimelineLine {
  seq: number;
  ts: number;
  kind: string;
  summary: string;
}

const clip = (s: string, n = 240) => (s.length > n ? `${s.slice(0, n)}…` : s);

export function timelineLine(e: HistoryEntry): TimelineLine {
  const base = { seq: e.seq, ts: e.ts };
  switch (e.kind) {
    case "message": {
      const tools = e.toolCalls?.length ? ` [tools: ${e.toolCalls.map((c) => c.name).join(", ")}]` : "";
      return { ...base, kind: e.role, summary: clip(e.text) + tools };
    }
    case "tool_result":
      return { ...base, kind: "tool result", summary: clip(e.results.map((r) => `${r.isError ? "error: " : ""}${r.text}`).join(" · ")) };
    case "run_started":
      return { ...base, kind: "run started", summary: e.model ?? "" };
    case "run_finished":
      return { ...base, kind: "run finished", summary: `${e.outcome} in ${Math.round(e.durationMs)} ms${e.reason ? `: ${e.reason}` : ""}` };
    case "compaction":
      return { ...base, kind: "compaction", summary: clip(e.summary) };
    case "session_reset":
      return { ...base, kind: "reset", summary: e.reason ?? "" };
  }
}
