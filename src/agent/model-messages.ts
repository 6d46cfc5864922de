/**
 * The message list the model sees: the compaction summary, the earlier runs (history.ts) and the
 * current run. It is normalised so every provider accepts it: consecutive same-role messages
 * merged, tool_use blocks without a matching tool_result (and results without a call) dropped,
 * empty messages dropped, and it starts with a user message.
 */
import type { ContentBlock, Message } from "../core/messages.ts";
import type { History, PriorRun } from "./history.ts";

export function summaryMessage(summary: string): Message {
  return { role: "user", content: [{ type: "text", text: `<conversation_summary>\n${summary}\n</conversation_summary>` }] };
}

/**
 * The earlier part of a conversation's list (summary + prior runs) kept between its turns, keyed
 * weakly by its first element (the summary message or the first run), so it lives as long as the
 * history cache holds that session: the next turn repeats the same runs plus new ones, and only the
 * new ones are walked. A run that changed size since, or a different run list, starts it afresh.
 */
interface Flat {
  runs: PriorRun[];
  sizes: number[];
  messages: Message[];
  /** the messages before this index are known well-formed (a prefix of self-contained runs) */
  checkFrom: number;
  prefix: boolean;
}
const flats = new WeakMap<object, Flat>();

function continues(f: Flat, runs: PriorRun[]): boolean {
  if (f.runs.length > runs.length) return false;
  for (let i = 0; i < f.runs.length; i++) if (runs[i] !== f.runs[i] || runs[i]!.messages.length !== f.sizes[i]) return false;
  return true;
}

/** The messages for the model: summary + prior runs + the current run, normalised. */
export function toMessages(history: History, current: Message[]): Message[] {
  const head = history.summary === undefined ? undefined : (history.summaryMessage ?? summaryMessage(history.summary));
  const anchor: object | undefined = head ?? history.runs[0];
  let f = anchor ? flats.get(anchor) : undefined;
  if (!f || !continues(f, history.runs)) {
    f = { runs: [], sizes: [], messages: head ? [head] : [], checkFrom: 0, prefix: head === undefined };
    if (anchor) flats.set(anchor, f);
  }
  // Prior runs that are self-contained (cached per run) need no check again: the whole list is
  // well-formed iff the rest of it is, checked from the first message after them.
  for (let i = f.runs.length; i < history.runs.length; i++) {
    const r = history.runs[i]!;
    let j = 0;
    const first = r.messages[0];
    if (i === 0 && head && first?.role === "user" && !first.content.some((b) => b.type === "tool_result")) {
      // the summary and the run's opening user message merged, once, as normalizeMessages would
      // merge them: otherwise every turn after a compaction would normalise the whole list
      f.messages[0] = { role: "user", content: [...head.content, ...first.content] };
      f.prefix = true;
      j = 1;
    }
    for (; j < r.messages.length; j++) f.messages.push(r.messages[j]!);
    f.runs.push(r);
    f.sizes.push(r.messages.length);
    if (f.prefix && (r.selfContained ??= selfContained(r.messages))) f.checkFrom = f.messages.length;
    else f.prefix = false;
  }
  const all = f.messages.concat(current); // a fresh array: the kept one grows with the next turn
  return wellFormed(all, f.checkFrom) ? all : normalizeMessages(all);
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
