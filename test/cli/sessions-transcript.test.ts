// ops/transcript.ts: an export rendered as Markdown, including the lifecycle entries and lines it
// must skip (unknown event types from a newer gateway, junk).
import { expect, test } from "bun:test";
import { jsonlToMarkdown } from "../../src/ops/transcript.ts";

const ev = (seq: number, data: unknown) => JSON.stringify({ sessionKey: "k", seq, ts: Date.UTC(2026, 0, 2, 3, 4, 5), type: (data as { type: string }).type, data });
const text = (t: string) => [{ type: "text", text: t }];

test("messages, tool calls and results, failures, compaction and resets read as a transcript", () => {
  const jsonl = [
    JSON.stringify({ type: "session", session: { key: "k", agentId: "main", channel: "telegram", peer: "42", title: "Files", createdAt: Date.UTC(2026, 0, 1) } }),
    ev(1, { type: "user_message", runId: "r", message: { role: "user", content: text("hi") } }),
    ev(2, { type: "assistant_message", runId: "r", stopReason: "tool_use", message: { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "exec", input: { cmd: "ls" } }] } }),
    ev(3, { type: "tool_result", runId: "r", message: { role: "user", content: [{ type: "tool_result", toolUseId: "t1", isError: true, content: text("denied") }] } }),
    ev(4, { type: "run_finished", runId: "r", outcome: "error", reason: "the provider failed", durationMs: 5 }),
    ev(5, { type: "compaction", summary: "we talked\nabout files", throughSeq: 4 }),
    ev(6, { type: "session_reset", reason: "/new" }),
    ev(7, { type: "from_the_future", x: 1 }),
    "junk",
  ].join("\n");
  expect(jsonlToMarkdown(jsonl, "k")).toBe(
    [
      "# Session k",
      "",
      "Files",
      "",
      "agent main · channel telegram · peer 42 · created 2026-01-01 00:00:00 UTC",
      "",
      "## User · 2026-01-02 03:04:05 UTC",
      "",
      "hi",
      "",
      "## Assistant · 2026-01-02 03:04:05 UTC",
      "",
      "**Tool call** `exec` (t1)",
      "",
      "```json",
      '{\n  "cmd": "ls"\n}',
      "```",
      "",
      "**Tool result** (t1) · error",
      "",
      "```",
      "denied",
      "```",
      "",
      "_run error: the provider failed_",
      "",
      "_earlier messages were compacted:_",
      "",
      "> we talked\n> about files",
      "",
      "_session reset: /new_",
      "",
    ].join("\n"),
  );
});
