// The pure conversion of pi SessionManager entries (OpenClaw's transcript format) into our events.
import { expect, test } from "bun:test";
import { StoredEventDataSchema } from "../../src/core/events.ts";
import { activeBranch, convertEntries, toBlocks } from "../../src/ops/migrate-transcript.ts";

test("the active branch is the last entry's ancestry: an abandoned branch is left out", () => {
  const e = [
    { id: "a", parentId: null }, { id: "b", parentId: "a" }, { id: "old", parentId: "b" }, { id: "c", parentId: "b" }, { id: "d", parentId: "c" },
  ];
  expect(activeBranch(e).map((x) => x.id)).toEqual(["a", "b", "c", "d"]);
  expect(activeBranch([{ id: "x" }, { id: "y" }]).map((x) => x.id)).toEqual(["x", "y"]); // linear (no parentId)
});

test("blocks: text, images (mimeType), thinking with its signature, toolCall → tool_use; unknown blocks dropped", () => {
  expect(toBlocks("hi")).toEqual([{ type: "text", text: "hi" }]);
  expect(toBlocks([
    { type: "text", text: "t" },
    { type: "image", data: "AAAA", mimeType: "image/png" },
    { type: "image", data: "AAAA", mimeType: "image/tiff" },
    { type: "thinking", thinking: "hmm", thinkingSignature: "sig" },
    { type: "toolCall", id: "tc1", name: "read", arguments: { path: "x" } },
    { type: "weird" },
  ])).toEqual([
    { type: "text", text: "t" },
    { type: "image", mediaType: "image/png", data: "AAAA" },
    { type: "thinking", text: "hmm", signature: "sig" },
    { type: "tool_use", id: "tc1", name: "read", input: { path: "x" } },
  ]);
});

test("runs: a user message opens one, tool results and answers join it, each closes with run_finished; every payload is valid", () => {
  const r = convertEntries("stem", [
    { id: "m0", type: "model_change", ts: 1 },
    { id: "u1", type: "message", ts: 1000, message: { role: "user", content: "read it" } },
    { id: "a1", type: "message", ts: 1100, message: { role: "assistant", content: [{ type: "toolCall", id: "t", name: "read", arguments: {} }], stopReason: "toolUse", provider: "anthropic", model: "claude-x", usage: { input: 5, output: 2 } } },
    { id: "r1", type: "message", ts: 1200, message: { role: "toolResult", toolCallId: "t", toolName: "read", content: [{ type: "text", text: "file" }], isError: false } },
    { id: "a2", type: "message", ts: 1500, message: { role: "assistant", content: [{ type: "text", text: "done" }], stopReason: "stop" } },
    { id: "c1", type: "compaction", ts: 2000, summary: "earlier: read a file", tokensBefore: 900 },
    { id: "u2", type: "message", ts: 3000, message: { role: "user", content: [{ type: "text", text: "again" }] } },
  ]);
  expect(r.messages).toBe(4);
  expect(r.skipped).toBe(1);
  expect(r.runs.map((x) => x.events.map((e) => e.data.type))).toEqual([
    ["user_message", "assistant_message", "tool_result", "assistant_message", "run_finished"],
    ["compaction"],
    ["user_message", "run_finished"],
  ]);
  const first = r.runs[0]!;
  expect(first.ts).toBe(1000);
  expect(first.events[1]!.data).toMatchObject({ model: "anthropic/claude-x", usage: { inputTokens: 5, outputTokens: 2 } });
  expect(first.events[4]!.data).toMatchObject({ type: "run_finished", outcome: "ok", durationMs: 500 });
  for (const run of r.runs) for (const e of run.events) expect(StoredEventDataSchema.safeParse(e.data).success).toBe(true);
  expect(new Set(r.runs.flatMap((x) => x.events.map((e) => e.key))).size).toBe(8); // one idempotency key per event
});
