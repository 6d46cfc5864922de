import { describe, expect, test } from "bun:test";
import type { Message } from "../../src/core/messages.ts";
import { anthropicBody as bodyBytes } from "../../src/providers/anthropic-body.ts";
import { toAnthropicParams } from "../../src/providers/anthropic-map.ts";
import type { ProviderRequest } from "../../src/providers/types.ts";

const tools = [
  { name: "exec", description: "run", inputSchema: { properties: { command: { type: "string" } }, required: ["command"] } },
  { name: "read", description: "read a file", inputSchema: { properties: { path: { type: "string" } } } },
];

function history(): Message[] {
  return [
    { role: "user", content: [{ type: "text", text: "hi" }] },
    { role: "assistant", content: [{ type: "thinking", text: "hmm", signature: "sig" }, { type: "tool_use", id: "t1", name: "exec", input: { command: "ls", cache_control: "kept" } }] },
    { role: "user", content: [{ type: "tool_result", toolUseId: "t1", isError: false, content: [{ type: "text", text: "" }, { type: "image", mediaType: "image/png", data: "AAAA" }] }] },
    { role: "assistant", content: [{ type: "text", text: "" }] },
    { role: "assistant", content: [{ type: "thinking", text: "", signature: "redacted:xyz" }, { type: "text", text: "done" }] },
    { role: "user", content: [{ type: "text", text: "and now?" }] },
  ] as Message[];
}

const decoder = new TextDecoder();
const anthropicBody = (r: ProviderRequest): string => decoder.decode(bodyBytes(r));

const req = (over: Partial<ProviderRequest> = {}): ProviderRequest => ({ model: "claude-x", system: "be brief", messages: history(), tools, maxTokens: 1024, ...over });

describe("anthropicBody", () => {
  test("parses to exactly what JSON.stringify(toAnthropicParams) gives", () => {
    for (const r of [req(), req({ tools: [], system: "" }), req({ thinking: { budgetTokens: 2048 } }), req({ temperature: 0.3 }), req({ messages: history().slice(0, 5) })]) {
      expect(JSON.parse(anthropicBody(r))).toEqual(JSON.parse(JSON.stringify(toAnthropicParams(r))));
    }
  });

  test("the cache breakpoint follows the last user turn from request to request", () => {
    const msgs = history();
    const first = JSON.parse(anthropicBody(req({ messages: msgs })));
    expect(first.messages.at(-1).content.at(-1).cache_control).toEqual({ type: "ephemeral" });
    const next = [...msgs, { role: "assistant", content: [{ type: "text", text: "ok" }] }, { role: "user", content: [{ type: "text", text: "again" }] }] as Message[];
    const second = JSON.parse(anthropicBody(req({ messages: next })));
    expect(second.messages[5].content.at(-1).cache_control).toBeUndefined(); // the earlier user turn lost its breakpoint
    expect(second.messages.at(-1).content.at(-1).cache_control).toEqual({ type: "ephemeral" });
    expect(second).toEqual(JSON.parse(JSON.stringify(toAnthropicParams(req({ messages: next })))));
  });

  test("a message whose content was replaced after it was sent is mapped again", () => {
    const msgs = history();
    anthropicBody(req({ messages: msgs }));
    msgs[4]!.content = [{ type: "text", text: "changed" }];
    expect(JSON.parse(anthropicBody(req({ messages: msgs }))).messages[3].content).toEqual([{ type: "text", text: "changed" }]);
  });
});

describe("anthropicBody across the turns of one conversation", () => {
  test("each request equals the full mapping while the list grows, is edited in the middle, or shrinks", () => {
    const msgs = history();
    const check = (m: Message[]) => expect(JSON.parse(anthropicBody(req({ messages: m })))).toEqual(JSON.parse(JSON.stringify(toAnthropicParams(req({ messages: m })))));
    check(msgs);
    for (let i = 0; i < 5; i++) {
      msgs.push({ role: "assistant", content: [{ type: "text", text: `reply ${i}` }] }, { role: "user", content: [{ type: "text", text: `turn ${i}` }] });
      check(msgs);
    }
    msgs[3] = { role: "assistant", content: [{ type: "text", text: "a different middle" }] }; // a new object in the cached prefix
    check(msgs);
    check(msgs.slice(0, 7)); // a shorter list with the same first message
    check(msgs);
  });

  test("the bytes stay exact as the kept prefix grows past its buffer, with multi-byte UTF-8 and surrogate pairs", () => {
    const msgs: Message[] = [{ role: "user", content: [{ type: "text", text: "début 🦀" }] }];
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 400; i++) {
      msgs.push({ role: "assistant", content: [{ type: "text", text: `réponse ${i} — ${"ü€😀".repeat(i % 7)} ${"x".repeat(i)}` }] });
      msgs.push({ role: "user", content: [{ type: "text", text: `tour ${i} 日本語 \u2028 "quoted" \\ ${"é".repeat(i % 50)}` }] });
      const bytes = bodyBytes(req({ messages: msgs, tools: [] }));
      if (i % 50 === 0) sent.push(bytes);
      const text = decoder.decode(bytes);
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(toAnthropicParams(req({ messages: msgs, tools: [] })))));
    }
    // a body handed out before is a copy: later turns appending to the kept prefix do not change it
    for (const [k, bytes] of sent.entries()) expect(JSON.parse(decoder.decode(bytes)).messages.length).toBe(1 + 2 * (50 * k + 1));
  });
});
