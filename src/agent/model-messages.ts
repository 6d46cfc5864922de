/**
 * The message list the model sees: the compaction summary, the earlier runs (history.ts) and the
 * current run. It is normalised so every provider accepts it: consecutive same-role messages
 * merged, tool_use blocks without a matching tool_result (and results without a call) dropped,
 * empty messages dropped, and it starts with a user message.
 */
import type { ContentBlock, Message } from "../core/messages.ts";
import type { History } from "./history.ts";

export function summaryMessage(summary: string): Message {
  return { role: "user", content: [{ type: "text", text: `<conversation_summary>\n${summary}\n</conversation_summary>` }] };
}

/** The messages for the model: summary + prior runs + the current run, normalised. */
export function toMessages(history: History, current: Message[]): Message[] {
  const all: Message[] = [];
  if (history.summary !== undefined) all.push(history.summaryMessage ?? summaryMessage(history.summary));
  // Prior runs that are self-contained (cached per run) need no check again: the whole list is
  // well-formed iff the rest of it is, checked from the first message after them.
  let checkFrom = 0;
  let prefix = history.summary === undefined;
  for (const r of history.runs) {
    for (const m of r.messages) all.push(m);
    if (prefix && (r.selfContained ??= selfContained(r.messages))) checkFrom = all.length;
    else prefix = false;
  }
  for (const m of current) all.push(m);
  return wellFormed(all, checkFrom) ? all : normalizeMessages(all); // `all` is already a fresh array: no copy in the common case
}

/**
 * Well-formed on its own, opening with a user message and closing with an assistant message
 * without tool calls: such runs in a row (behind nothing) are well-formed together, since every
 * check of `wellFormed` looks only at a message and its two neighbours, and at a boundary between
 * two such runs an assistant message without tool_use meets a user message that wellFormed
 * already required to carry no tool_result (it had no predecessor then).
 */
function selfContained(msgs: Message[]): boolean {
  const last = msgs[msgs.length - 1];
  return !!last && last.role === "assistant" && !last.content.some((b) => b.type === "tool_use") && wellFormed(msgs);
}

export function normalizeMessages(input: Message[]): Message[] {
  if (wellFormed(input)) return input.slice();
  // 1. pair tool_use with tool_result in the next message; drop the unpaired ones
  const out: Message[] = [];
  for (let i = 0; i < input.length; i++) {
    const m = input[i]!;
    const next = input[i + 1];
    let content: ContentBlock[] = m.content;
    if (m.role === "assistant") {
      const answered = new Set(next?.role === "user" ? next.content.flatMap((b) => (b.type === "tool_result" ? [b.toolUseId] : [])) : []);
      content = content.filter((b) => b.type !== "tool_use" || answered.has(b.id));
    } else {
      const prev = input[i - 1];
      const asked = new Set(prev?.role === "assistant" ? prev.content.flatMap((b) => (b.type === "tool_use" ? [b.id] : [])) : []);
      content = content.filter((b) => b.type !== "tool_result" || asked.has(b.toolUseId));
    }
    content = content.filter((b) => !(b.type === "text" && b.text === ""));
    if (content.length) out.push({ role: m.role, content });
  }
  // 2. merge consecutive same-role messages; start with a user message
  const merged: Message[] = [];
  for (const m of out) {
    const last = merged[merged.length - 1];
    if (last && last.role === m.role) {
      // tool results must come first in a user message
      const content = [...last.content, ...m.content];
      last.content = m.role === "user" ? [...content.filter((b) => b.type === "tool_result"), ...content.filter((b) => b.type !== "tool_result")] : content;
    } else merged.push({ role: m.role, content: [...m.content] });
  }
  while (merged.length && merged[0]!.role !== "user") merged.shift();
  return merged;
}

/** The common case, checked without allocating: nothing to fix (messages before `from` are known good). */
function wellFormed(msgs: Message[], from = 0): boolean {
  for (let i = from; i < msgs.length; i++) {
    const m = msgs[i]!;
    if (m.content.length === 0 || (i === 0 ? m.role !== "user" : msgs[i - 1]!.role === m.role)) return false;
    let seenOther = false;
    for (const b of m.content) {
      if (b.type === "text" && b.text === "") return false;
      if (b.type === "tool_use") {
        const next = msgs[i + 1];
        if (!next || !next.content.some((r) => r.type === "tool_result" && r.toolUseId === b.id)) return false;
      } else if (b.type === "tool_result") {
        if (seenOther) return false;
        const prev = msgs[i - 1];
        if (!prev || !prev.content.some((u) => u.type === "tool_use" && u.id === b.toolUseId)) return false;
      } else seenOther = true;
    }
  }
  return true;
}

/** Rough token estimate (4 characters a token) used for the compaction budget. */
export function estimateTokens(value: unknown): number {
  if (typeof value === "string") return Math.ceil(value.length / 4);
  return Math.ceil(JSON.stringify(value).length / 4);
}
