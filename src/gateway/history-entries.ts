/**
 * Stored events → readable history entries for `chat.history`. One entry per stored event that
 * a person would read: messages with their text and tool calls, tool results, run outcomes,
 * resets and compactions. Paged backwards by `seq` (the log is gap-free).
 */
import type { StoredEvent } from "../core/events.ts";
import { textOf } from "../core/messages.ts";

export type HistoryEntry =
  | { seq: number; ts: number; kind: "message"; role: "user" | "assistant"; runId: string; text: string; toolCalls?: { id: string; name: string; input: unknown }[]; stopReason?: string; model?: string }
  | { seq: number; ts: number; kind: "tool_result"; runId: string; results: { toolCallId: string; isError: boolean; text: string; durationMs?: number; sandbox?: string }[] }
  | { seq: number; ts: number; kind: "run_started"; runId: string; model?: string }
  | { seq: number; ts: number; kind: "run_finished"; runId: string; outcome: string; reason?: string; durationMs: number }
  | { seq: number; ts: number; kind: "compaction"; summary: string }
  | { seq: number; ts: number; kind: "session_reset"; reason?: string };

export function toHistoryEntry(ev: StoredEvent): HistoryEntry {
  const d = ev.data;
  const base = { seq: ev.seq, ts: ev.ts };
  switch (d.type) {
    case "user_message":
      return { ...base, kind: "message", role: "user", runId: d.runId, text: textOf(d.message.content) };
    case "assistant_message": {
      const calls = d.message.content.flatMap((b) => (b.type === "tool_use" ? [{ id: b.id, name: b.name, input: b.input }] : []));
      const entry: HistoryEntry = { ...base, kind: "message", role: "assistant", runId: d.runId, text: textOf(d.message.content), stopReason: d.stopReason };
      if (calls.length) entry.toolCalls = calls;
      if (d.model) entry.model = d.model;
      return entry;
    }
    case "tool_result": {
      const meta = new Map((d.tools ?? []).map((t) => [t.toolCallId, { durationMs: t.durationMs, sandbox: t.sandbox }]));
      return {
        ...base,
        kind: "tool_result",
        runId: d.runId,
        results: d.message.content.flatMap((b) =>
          b.type === "tool_result" ? [{ toolCallId: b.toolUseId, isError: b.isError, text: textOf(b.content), ...meta.get(b.toolUseId) }] : [],
        ),
      };
    }
    case "run_started":
      return { ...base, kind: "run_started", runId: d.runId, ...(d.model ? { model: d.model } : {}) };
    case "run_finished":
      return { ...base, kind: "run_finished", runId: d.runId, outcome: d.outcome, durationMs: d.durationMs, ...(d.reason ? { reason: d.reason } : {}) };
    case "compaction":
      return { ...base, kind: "compaction", summary: d.summary };
    case "session_reset":
      return { ...base, kind: "session_reset", ...(d.reason ? { reason: d.reason } : {}) };
  }
}
