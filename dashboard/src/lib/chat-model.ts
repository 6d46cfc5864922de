/**
 * What a chat shows, as plain data: messages made of text and tool-card parts, built from
 * `chat.history` entries (a page load) or from `chat.event` run events (live). Pure functions;
 * composables/chat.ts holds the reactive list and bounds it.
 */
import type { HistoryEntry, RunEvent, SandboxLevel } from "../rpc/types.ts";

export interface ToolPart {
  kind: "tool";
  id: string;
  name: string;
  input: unknown;
  output?: string;
  isError?: boolean;
  durationMs?: number;
  sandbox?: SandboxLevel;
  done: boolean;
}

export interface TextPart {
  kind: "text";
  text: string;
}

export type Part = TextPart | ToolPart;

export interface ChatMessage {
  id: string;
  role: "user" | "assistant";
  runId: string;
  parts: Part[];
  streaming: boolean;
  /** the store's seq of the entry it came from (history only): where "load older" pages back from */
  seq?: number;
  error?: string;
  outcome?: string;
}

let counter = 0;
export const localId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export function userMessage(runId: string, text: string, seq?: number): ChatMessage {
  return { id: seq !== undefined ? `s${seq}` : localId("u"), role: "user", runId, parts: [{ kind: "text", text }], streaming: false, ...(seq !== undefined ? { seq } : {}) };
}

export function assistantMessage(runId: string, streaming: boolean, seq?: number): ChatMessage {
  return { id: seq !== undefined ? `s${seq}` : localId("a"), role: "assistant", runId, parts: [], streaming, ...(seq !== undefined ? { seq } : {}) };
}

export function messageText(m: ChatMessage): string {
  return m.parts.flatMap((p) => (p.kind === "text" ? [p.text] : [])).join("");
}

/** Append streamed text: to the last text part, or a new one after a tool card. */
export function appendText(m: ChatMessage, text: string): void {
  const last = m.parts[m.parts.length - 1];
  if (last?.kind === "text") last.text += text;
  else m.parts.push({ kind: "text", text });
}

export function findTool(m: ChatMessage, id: string): ToolPart | undefined {
  for (const p of m.parts) if (p.kind === "tool" && p.id === id) return p;
  return undefined;
}

/**
 * Apply one live run event to the run's assistant message (created by `ensure` on first need).
 * Returns the outcome when the event ends the run.
 */
export function applyEvent(event: RunEvent, ensure: () => ChatMessage): string | undefined {
  const e = event as Extract<RunEvent, { type: "text_delta" | "tool_call" | "tool_result" | "error" | "final" }>;
  switch (e.type) {
    case "text_delta":
      appendText(ensure(), e.text);
      return undefined;
    case "tool_call": {
      const m = ensure();
      if (!findTool(m, e.toolCallId)) m.parts.push({ kind: "tool", id: e.toolCallId, name: e.name, input: e.input, done: false, ...(e.sandbox ? { sandbox: e.sandbox } : {}) });
      return undefined;
    }
    case "tool_result": {
      const m = ensure();
      let tool = findTool(m, e.toolCallId);
      if (!tool) m.parts.push((tool = { kind: "tool", id: e.toolCallId, name: e.name, input: undefined, done: false }));
      tool.output = e.output;
      tool.isError = e.isError;
      tool.done = true;
      if (e.durationMs !== undefined) tool.durationMs = e.durationMs;
      if (e.sandbox) tool.sandbox = e.sandbox;
      return undefined;
    }
    case "error": {
      const m = ensure();
      m.error = e.error?.message ?? "the run failed";
      return undefined;
    }
    case "final": {
      const m = ensure();
      if (!messageText(m) && e.text) appendText(m, e.text);
      m.streaming = false;
      m.outcome = e.outcome;
      if (e.outcome !== "ok" && e.reason && !m.error) m.error = e.reason;
      return e.outcome;
    }
    default:
      return undefined;
  }
}

/** History entries (ascending seq) → messages; tool results join the card of their call. */
export function entriesToMessages(entries: readonly HistoryEntry[]): { messages: ChatMessage[]; lastOutcome?: string } {
  const messages: ChatMessage[] = [];
  const tools = new Map<string, ToolPart>();
  let lastOutcome: string | undefined;
  for (const e of entries) {
    if (e.kind === "message" && e.role === "user") messages.push(userMessage(e.runId, e.text, e.seq));
    else if (e.kind === "message") {
      const m = assistantMessage(e.runId, false, e.seq);
      if (e.text) m.parts.push({ kind: "text", text: e.text });
      for (const c of e.toolCalls ?? []) {
        const part: ToolPart = { kind: "tool", id: c.id, name: c.name, input: c.input, done: false };
        tools.set(c.id, part);
        m.parts.push(part);
      }
      messages.push(m);
    } else if (e.kind === "tool_result") {
      for (const r of e.results) {
        const part = tools.get(r.toolCallId);
        if (!part) continue;
        part.output = r.text;
        part.isError = r.isError;
        part.done = true;
        if (r.durationMs !== undefined) part.durationMs = r.durationMs;
        if (r.sandbox) part.sandbox = r.sandbox;
      }
    } else if (e.kind === "run_finished") {
      lastOutcome = e.outcome;
      const last = messages[messages.length - 1];
      if (last && last.runId === e.runId && last.role === "assistant") {
        last.outcome = e.outcome;
        if (e.outcome !== "ok" && e.reason) last.error = e.reason;
      }
    }
  }
  return lastOutcome !== undefined ? { messages, lastOutcome } : { messages };
}
