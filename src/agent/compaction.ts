/**
 * Context budget. Before each model request the loop estimates the prompt size; when it passes
 * `contextWindow - reserveTokens`, the oldest earlier runs are summarised by the provider in a
 * dedicated request (no tools) into a stored `compaction` event, and the run continues with
 * summary + the recent runs that fit. The current run is never summarised. A failed summary request
 * is logged and the run goes on uncompacted (the provider then decides whether the prompt fits).
 */
import type { Logger } from "../core/log.ts";
import { textOf, type Message } from "../core/messages.ts";
import type { Provider, ToolSpec } from "../providers/types.ts";
import type { SessionStore } from "../store/types.ts";
import { estimateTokens, summaryMessage } from "./model-messages.ts";
import type { History, PriorRun } from "./history.ts";

export const SUMMARY_SYSTEM_PROMPT =
  "You summarise conversations between a user and an AI assistant so the assistant can continue them. " +
  "Keep facts, decisions, names, file paths, open tasks and the user's preferences; drop chit-chat. " +
  "Write plain prose and short lists, no preamble.";

export interface CompactionInput {
  provider: Provider;
  store: SessionStore;
  log: Logger;
  sessionKey: string;
  runId: string;
  model: string;
  system: string;
  tools: ToolSpec[];
  history: History;
  current: Message[];
  contextWindow: number;
  reserveTokens: number;
  signal: AbortSignal;
  /** called before the compaction event is stored (the loop writes its held events first, in order) */
  beforeWrite?: () => Promise<void>;
}

export interface CompactionResult {
  history: History;
  compacted?: { summaryChars: number; tokensBefore: number; throughSeq: number };
  /** the summary request failed; the caller should not retry within the same run */
  failed?: boolean;
}

/**
 * Estimate of a tool list, per list: the runtime builds a new `toolSpecs` array whenever the tool
 * set or policy changes and never mutates one, so the array identifies its content (serialising
 * the schemas of every tool was the largest single cost of a plain turn).
 */
const toolTokens = new WeakMap<ToolSpec[], number>();

function toolsEstimate(tools: ToolSpec[]): number {
  if (tools.length === 0) return 0;
  let n = toolTokens.get(tools);
  if (n === undefined) toolTokens.set(tools, (n = estimateTokens(tools)));
  return n;
}

/** Estimated prompt size. Per-run estimates are cached on the run, so this is O(runs), not O(text). */
export function promptTokens(system: string, tools: ToolSpec[], history: History, current: Message[]): number {
  let total = estimateTokens(system) + toolsEstimate(tools) + estimateTokens(current);
  if (history.summary !== undefined) total += estimateTokens(summaryMessage(history.summary));
  for (const r of history.runs) total += runTokens(r);
  return total;
}

function runTokens(r: PriorRun): number {
  return (r.tokens ??= estimateTokens(r.messages));
}

export async function maybeCompact(input: CompactionInput): Promise<CompactionResult> {
  const { history, current, system, tools } = input;
  const budget = input.contextWindow - input.reserveTokens;
  const tokensBefore = promptTokens(system, tools, history, current);
  if (tokensBefore <= budget || history.runs.length === 0) return { history };

  const summaryMax = Math.max(256, Math.min(4096, input.reserveTokens));
  const fixed = promptTokens(system, tools, { runs: [] }, current) + summaryMax;
  let keepBudget = budget - fixed;
  let keepFrom = history.runs.length;
  while (keepFrom > 0) {
    const t = runTokens(history.runs[keepFrom - 1]!);
    if (t > keepBudget) break;
    keepBudget -= t;
    keepFrom--;
  }
  if (keepFrom === 0) return { history };
  const old = history.runs.slice(0, keepFrom);
  const transcript = capMiddle(renderTranscript(history.summary, old), Math.max(2000, (budget - summaryMax) * 4));

  let summary = "";
  let failure: string | undefined;
  for await (const ev of input.provider.stream(
    {
      model: input.model,
      system: SUMMARY_SYSTEM_PROMPT,
      messages: [{ role: "user", content: [{ type: "text", text: `Summarise this conversation so far:\n\n${transcript}` }] }],
      tools: [],
      maxTokens: summaryMax,
    },
    input.signal,
  )) {
    if (ev.type === "stop") {
      summary = textOf(ev.message.content).trim();
      if (ev.stopReason === "error" || ev.stopReason === "aborted") failure = ev.error?.message ?? ev.stopReason;
    }
  }
  if (failure !== undefined || !summary) {
    input.log.warn("compaction skipped: the summary request failed", { sessionKey: input.sessionKey, error: failure ?? "empty summary" });
    return { history, failed: true };
  }
  const throughSeq = old[old.length - 1]!.userSeq;
  await input.beforeWrite?.();
  await input.store.append(input.sessionKey, {
    data: { type: "compaction", runId: input.runId, summary, throughSeq, tokensBefore },
  });
  return { history: { summary, runs: history.runs.slice(keepFrom) }, compacted: { summaryChars: summary.length, tokensBefore, throughSeq } };
}

function renderTranscript(previous: string | undefined, runs: History["runs"]): string {
  const lines: string[] = [];
  if (previous) lines.push(`[Earlier summary]\n${previous}`);
  for (const run of runs) {
    for (const m of run.messages) {
      for (const b of m.content) {
        if (b.type === "text") lines.push(`${m.role === "user" ? "User" : "Assistant"}: ${b.text}`);
        else if (b.type === "tool_use") lines.push(`Assistant called ${b.name}(${JSON.stringify(b.input)})`);
        else if (b.type === "tool_result") lines.push(`Tool result${b.isError ? " (error)" : ""}: ${textOf(b.content as Message["content"])}`);
        else if (b.type === "image") lines.push(`${m.role === "user" ? "User" : "Assistant"}: [image]`);
      }
    }
  }
  return lines.join("\n");
}

function capMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n[… ${text.length - 2 * half} characters omitted …]\n${text.slice(-half)}`;
}
