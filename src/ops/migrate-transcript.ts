/**
 * OpenClaw transcript messages (the pi SessionManager shapes, which both the JSONL files and the
 * per-agent SQLite store hold) → our stored events. A user message starts a run; the assistant
 * messages and tool results after it belong to that run; each run is closed with a `run_finished`
 * (outcome ok) so no imported run looks unfinished to crash recovery. Entries we cannot map
 * (custom entries, model changes, labels) are counted, not imported.
 *
 * Pure: no file or store access. Anything malformed is skipped and counted, never thrown.
 */
import { createHash } from "node:crypto";
import type { StoredEventData } from "../core/events.ts";
import type { ContentBlock, Message, Usage } from "../core/messages.ts";

/** One transcript entry as read from either source (JSONL line or SQLite row). */
export interface SourceEntry {
  /** stable within its session (the entry id; else the line or row number) */
  id: string;
  /** epoch ms, when known */
  ts?: number;
  type: string;
  /** the `message` object of a message entry */
  message?: unknown;
  /** compaction summary text */
  summary?: string;
  tokensBefore?: number;
  /** a compaction's first entry kept verbatim (the summary stands for what came before it); same id space as `id` */
  firstKeptEntryId?: string;
}

export interface ImportRun {
  /** the idempotency key stem: one per run, stable across imports */
  id: string;
  ts: number;
  events: { data: StoredEventData; key: string }[];
  /** a compaction run: the idempotency key of the first entry its summary does not cover (throughSeq is set from it at import) */
  firstKept?: string;
}

export interface ConvertResult {
  runs: ImportRun[];
  messages: number;
  /** entries that carry nothing we store (custom entries, model changes, labels, malformed lines) */
  skipped: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

function image(b: Obj): ContentBlock | null {
  const mediaType = (b.mimeType ?? b.mediaType ?? (isObj(b.source) ? b.source.media_type : undefined)) as unknown;
  const data = (b.data ?? (isObj(b.source) ? b.source.data : undefined)) as unknown;
  if (typeof data !== "string" || typeof mediaType !== "string" || !IMAGE_TYPES.has(mediaType)) return null;
  return { type: "image", mediaType: mediaType as "image/png", data };
}

/** pi content (a string or blocks: text, image, thinking, toolCall) → our blocks. */
export function toBlocks(content: unknown): ContentBlock[] {
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  if (!Array.isArray(content)) return [];
  const out: ContentBlock[] = [];
  for (const b of content) {
    if (!isObj(b)) continue;
    if (b.type === "text" && typeof b.text === "string") out.push({ type: "text", text: b.text });
    else if (b.type === "image") {
      const img = image(b);
      if (img) out.push(img);
    } else if (b.type === "thinking" && typeof b.thinking === "string") {
      out.push({ type: "thinking", text: b.thinking, ...(typeof b.thinkingSignature === "string" ? { signature: b.thinkingSignature } : {}) });
    } else if ((b.type === "toolCall" || b.type === "tool_use") && typeof b.id === "string" && typeof b.name === "string") {
      out.push({ type: "tool_use", id: b.id, name: b.name, input: b.arguments ?? b.input ?? {} });
    }
  }
  return out;
}

function usageOf(u: unknown): Usage | undefined {
  if (!isObj(u)) return undefined;
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);
  return { inputTokens: n(u.input), outputTokens: n(u.output), cacheReadTokens: n(u.cacheRead), cacheWriteTokens: n(u.cacheWrite) };
}

function modelOf(m: Obj): string | undefined {
  if (typeof m.model !== "string") return undefined;
  return typeof m.provider === "string" && !m.model.includes("/") ? `${m.provider}/${m.model}` : m.model;
}

/** A tool result message → a user-role message holding one tool_result block. */
function toolResult(m: Obj): Message | null {
  if (typeof m.toolCallId !== "string") return null;
  const content = toBlocks(m.content).filter((b): b is Extract<ContentBlock, { type: "text" | "image" }> => b.type === "text" || b.type === "image");
  return { role: "user", content: [{ type: "tool_result", toolUseId: m.toolCallId, content, isError: m.isError === true }] };
}

/** Converts one session's entries (active branch, oldest first). `stem` makes the idempotency keys. */
export function convertEntries(stem: string, entries: readonly SourceEntry[]): ConvertResult {
  const runs: ImportRun[] = [];
  let run: ImportRun | null = null;
  let messages = 0;
  let skipped = 0;
  let lastTs = 0;
  const close = () => {
    if (!run) return;
    const last = lastTs;
    run.events.push({ key: `${run.id}:end`, data: { type: "run_finished", runId: run.id, outcome: "ok", cause: "completed", reason: "imported from OpenClaw", durationMs: Math.max(0, last - run.ts) } });
    runs.push(run);
    run = null;
  };
  for (const e of entries) {
    const ts = e.ts ?? lastTs;
    const m = isObj(e.message) ? e.message : null;
    const key = `${stem}:${e.id}`;
    if (e.type === "compaction" && typeof e.summary === "string") {
      // our compaction marker names a seq: migrate-sessions.ts sets it from firstKept once seqs are known
      close();
      runs.push({
        id: key, ts,
        events: [{ key, data: { type: "compaction", summary: e.summary, throughSeq: 0, ...(e.tokensBefore ? { tokensBefore: Math.floor(e.tokensBefore) } : {}) } }],
        ...(e.firstKeptEntryId ? { firstKept: `${stem}:${e.firstKeptEntryId}` } : {}),
      });
      lastTs = Math.max(lastTs, ts);
      continue;
    }
    if (e.type === "session_reset") {
      close();
      runs.push({ id: key, ts, events: [{ key, data: { type: "session_reset", reason: "OpenClaw started a new session id here" } }] });
      continue;
    }
    if (e.type !== "message" || !m) {
      skipped++;
      continue;
    }
    if (m.role === "user") {
      const content = toBlocks(m.content);
      if (content.length === 0) {
        skipped++;
        continue;
      }
      close();
      run = { id: `run_imp_${createHash("sha256").update(key).digest("hex").slice(0, 20)}`, ts, events: [] };
      run.events.push({ key, data: { type: "user_message", runId: run.id, message: { role: "user", content }, origin: { importedFrom: "openclaw" } } });
      messages++;
    } else if ((m.role === "assistant" || m.role === "toolResult") && run) {
      if (m.role === "assistant") {
        const u = usageOf(m.usage);
        const model = modelOf(m);
        run.events.push({ key, data: { type: "assistant_message", runId: run.id, message: { role: "assistant", content: toBlocks(m.content) }, stopReason: typeof m.stopReason === "string" ? m.stopReason : "end_turn", ...(model ? { model } : {}), ...(u ? { usage: u } : {}) } });
        messages++;
      } else {
        const r = toolResult(m);
        if (r) run.events.push({ key, data: { type: "tool_result", runId: run.id, message: r } });
        else skipped++;
      }
    } else {
      skipped++; // an assistant message before any user message, a custom role
      continue;
    }
    lastTs = Math.max(lastTs, ts);
  }
  close();
  return { runs, messages, skipped };
}

/** The active branch of a pi entry tree: from the last entry back to the root by `parentId`, oldest first. */
export function activeBranch<T extends { id?: unknown; parentId?: unknown }>(entries: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const e of entries) if (typeof e.id === "string") byId.set(e.id, e);
  const withTree = entries.some((e) => typeof e.parentId === "string");
  if (!withTree) return [...entries]; // an older, linear file
  const out: T[] = [];
  const seen = new Set<string>();
  let cur: T | undefined = [...entries].reverse().find((e) => typeof e.id === "string");
  while (cur && typeof cur.id === "string" && !seen.has(cur.id)) {
    seen.add(cur.id);
    out.push(cur);
    cur = typeof cur.parentId === "string" ? byId.get(cur.parentId) : undefined;
  }
  return out.reverse();
}
