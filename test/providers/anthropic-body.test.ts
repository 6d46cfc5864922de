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
    for (let i = 0; i < 400; i++) {
      msgs.push({ role: "assistant", content: [{ type: "text", text: `réponse ${i} — ${"ü€😀".repeat(i % 7)} ${"x".repeat(i)}` }] });
      msgs.push({ role: "user", content: [{ type: "text", text: `tour ${i} 日本語 \u2028 "quoted" \\ ${"é".repeat(i % 50)}` }] });
      const text = decoder.decode(bodyBytes(req({ messages: msgs, tools: [] })));
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(toAnthropicParams(req({ messages: msgs, tools: [] })))));
    }
  });

  test("a long conversation's body is a view of its kept buffer, exact until its next body; other conversations do not touch it", () => {
    const a = history();
    for (let i = 0; i < 40; i++) a.push({ role: "assistant", content: [{ type: "text", text: `reply ${i} ${"z".repeat(200)}` }] }, { role: "user", content: [{ type: "text", text: `turn ${i}` }] });
    const b: Message[] = [{ role: "user", content: [{ type: "text", text: "another conversation" }] }];
    const bodyA = bodyBytes(req({ messages: a }));
    const copyA = bodyA.slice();
    for (let i = 0; i < 50; i++) {
      b.push({ role: "assistant", content: [{ type: "text", text: `r${i} ${"y".repeat(i * 40)}` }] }, { role: "user", content: [{ type: "text", text: `t${i}` }] });
      bodyBytes(req({ messages: b }));
    }
    expect(bodyA).toEqual(copyA);
    const next = [...a, { role: "assistant", content: [{ type: "text", text: "ok" }] }, { role: "user", content: [{ type: "text", text: "more" }] }] as Message[];
    const bodyNext = bodyBytes(req({ messages: next }));
    expect(JSON.parse(decoder.decode(bodyNext))).toEqual(JSON.parse(JSON.stringify(toAnthropicParams(req({ messages: next })))));
    // no copy of the history per request: the same list again is a view of the same kept buffer
    // (so the earlier view is stale once the next body is built: a conversation's requests are sent
    // one at a time, and fetch copies, below)
    expect(bodyBytes(req({ messages: next })).buffer).toBe(bodyNext.buffer);
  });

  test("a large message keeps no more idle room than half again its size (not 3 bytes per character)", () => {
    const big = "x".repeat(1_000_000);
    const msgs: Message[] = [
      { role: "user", content: [{ type: "text", text: "read this file" }] },
      { role: "assistant", content: [{ type: "text", text: big }] },
      { role: "user", content: [{ type: "text", text: "and now?" }] },
    ];
    const body = bodyBytes(req({ messages: msgs, tools: [] }));
    expect(JSON.parse(decoder.decode(body))).toEqual(JSON.parse(JSON.stringify(toAnthropicParams(req({ messages: msgs, tools: [] })))));
    // a long conversation's body is a view of the kept buffer: its capacity is what stays cached
    expect(body.buffer.byteLength).toBeLessThan(body.length * 1.6);
  });

  test("a short conversation's body is a copy: the kept buffer holds no room for the tools and system prompt", () => {
    const msgs = history();
    const first = bodyBytes(req({ messages: msgs }));
    const copy = first.slice();
    const second = bodyBytes(req({ messages: [...msgs, { role: "assistant", content: [{ type: "text", text: "ok" }] }, { role: "user", content: [{ type: "text", text: "again" }] }] as Message[] }));
    expect(second.buffer).not.toBe(first.buffer);
    expect(first).toEqual(copy);
  });

  test("fetch copies a body when it is called: bytes written into the buffer afterwards are not sent", async () => {
    const got: string[] = [];
    const server = Bun.serve({
      hostname: "127.0.0.1", port: 0,
      async fetch(r) {
        await Bun.sleep(20);
        got.push(await r.text());
        return new Response("ok");
      },
    });
    try {
      const msgs = history();
      const body = bodyBytes(req({ messages: msgs }));
      const expected = decoder.decode(body);
      const sent = fetch(`http://127.0.0.1:${server.port}/`, { method: "POST", body });
      body.fill(0x20); // what building the next body of the conversation would do to these bytes
      await (await sent).text();
      expect(got).toEqual([expected]);
    } finally {
      server.stop(true);
    }
  });
});
