import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { ApiKey } from "../../src/core/secrets.ts";
import { AnthropicProvider } from "../../src/providers/anthropic.ts";
import type { ToolSpec } from "../../src/providers/types.ts";
import { keyOf, reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { collect, fakeSleep, ofType, request, stopOf, textOfEvents } from "./helpers.ts";

const KEY = "sk-ant-test-0123456789abcdef";
let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: KEY });
});
afterAll(() => fake.stop());
afterEach(() => {
  fake.requests.length = 0;
  expect(fake.pending()).toBe(0); // every scripted reply was consumed
});

function provider(extra: { maxRetries?: number; timeoutMs?: number } = {}) {
  const clock = fakeSleep();
  const p = new AnthropicProvider({ apiKey: new ApiKey(KEY), baseURL: fake.url, retry: { sleep: clock.sleep }, ...extra });
  return { p, delays: clock.delays };
}

const tools: ToolSpec[] = [
  { name: "read", description: "Read a file", inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } },
  { name: "exec", description: "Run a command", inputSchema: { type: "object", properties: { command: { type: "string" } } } },
];

describe("AnthropicProvider streaming", () => {
  test("streams text and ends with end_turn, the whole message and usage", async () => {
    fake.enqueue(reply.text("Hello there, streaming world!", { usage: { input_tokens: 42, output_tokens: 7 } }));
    const events = await collect(provider().p.stream(request("hi")));
    expect(events[0]).toEqual({ type: "start", model: "claude-sonnet-4-5" });
    expect(ofType(events, "text_delta").length).toBeGreaterThan(1);
    expect(textOfEvents(events)).toBe("Hello there, streaming world!");
    const stop = stopOf(events);
    expect(stop.stopReason).toBe("end_turn");
    expect(stop.error).toBeUndefined();
    expect(stop.message).toEqual({ role: "assistant", content: [{ type: "text", text: "Hello there, streaming world!" }] });
    expect(stop.usage).toMatchObject({ inputTokens: 42, outputTokens: 7 });
  });

  test("tool use: argument deltas assemble into the input of tool_call_end", async () => {
    fake.enqueue(reply.toolUse("exec", { command: "ls -la /tmp", timeoutMs: 500 }, { id: "toolu_1", text: "Let me look." }));
    const events = await collect(provider().p.stream(request("list", { tools })));
    expect(ofType(events, "tool_call_start")).toEqual([{ type: "tool_call_start", id: "toolu_1", name: "exec" }]);
    const deltas = ofType(events, "tool_call_delta");
    expect(deltas.length).toBeGreaterThan(1);
    expect(JSON.parse(deltas.map((d) => d.argsDelta).join(""))).toEqual({ command: "ls -la /tmp", timeoutMs: 500 });
    expect(ofType(events, "tool_call_end")).toEqual([
      { type: "tool_call_end", call: { type: "tool_use", id: "toolu_1", name: "exec", input: { command: "ls -la /tmp", timeoutMs: 500 } } },
    ]);
    const stop = stopOf(events);
    expect(stop.stopReason).toBe("tool_use");
    expect(stop.message.content).toEqual([
      { type: "text", text: "Let me look." },
      { type: "tool_use", id: "toolu_1", name: "exec", input: { command: "ls -la /tmp", timeoutMs: 500 } },
    ]);
  });

  test("parallel tool calls arrive complete and in order", async () => {
    fake.enqueue(reply.toolUses([{ name: "read", input: { path: "a.txt" }, id: "t_a" }, { name: "read", input: { path: "b.txt" }, id: "t_b" }]));
    const events = await collect(provider().p.stream(request("read both", { tools })));
    const ends = ofType(events, "tool_call_end").map((e) => e.call);
    expect(ends).toEqual([
      { type: "tool_use", id: "t_a", name: "read", input: { path: "a.txt" } },
      { type: "tool_use", id: "t_b", name: "read", input: { path: "b.txt" } },
    ]);
    expect(stopOf(events).message.content).toEqual(ends);
  });

  test("thinking: deltas stream and the signed block is kept in the message", async () => {
    fake.enqueue(reply.thinking("Let me reason about this carefully.", "42", { signature: "sig-abc", usage: { cache_read_input_tokens: 900, cache_creation_input_tokens: 120 } }));
    const events = await collect(provider().p.stream(request("meaning?", { thinking: { budgetTokens: 2048 } })));
    expect(ofType(events, "thinking_delta").map((e) => e.text).join("")).toBe("Let me reason about this carefully.");
    const stop = stopOf(events);
    expect(stop.message.content).toEqual([
      { type: "thinking", text: "Let me reason about this carefully.", signature: "sig-abc" },
      { type: "text", text: "42" },
    ]);
    expect(stop.usage).toMatchObject({ cacheReadTokens: 900, cacheWriteTokens: 120 });
    const body = fake.bodies()[0];
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    expect(body.max_tokens).toBeGreaterThan(2048);
  });

  test("invalid JSON in tool input ends with a malformed error and no tool_call_end", async () => {
    fake.enqueue(reply.invalidToolJson("exec", '{"command": "ls",,}'));
    const events = await collect(provider().p.stream(request("go", { tools })));
    expect(ofType(events, "tool_call_start")).toHaveLength(1);
    expect(ofType(events, "tool_call_end")).toHaveLength(0);
    const stop = stopOf(events);
    expect(stop.stopReason).toBe("error");
    expect(stop.error).toMatchObject({ kind: "malformed", retryable: false });
    expect(stop.message.content.some((b) => b.type === "tool_use")).toBe(false);
    expect(fake.requests).toHaveLength(1);
  });

  test("a tool-JSON failure names the provider's own id, not a hard-coded anthropic", async () => {
    fake.enqueue(reply.invalidToolJson("exec", '{"command": "ls",,}'));
    const p = new AnthropicProvider({ apiKey: new ApiKey(KEY), baseURL: fake.url, id: "claude-work", maxRetries: 0 });
    const stop = stopOf(await collect(p.stream(request("go", { tools }))));
    expect(stop.error?.message).toStartWith("claude-work: tool call exec");
  });
});

describe("AnthropicProvider request body", () => {
  test("sends the key, cache_control on system and last tool, and maps the history", async () => {
    fake.enqueue(reply.text("ok"));
    const png = "iVBORw0KGgo=";
    await collect(
      provider().p.stream(
        request(
          [
            { role: "user", content: [{ type: "text", text: "look" }, { type: "image", mediaType: "image/png", data: png }] },
            {
              role: "assistant",
              content: [
                { type: "thinking", text: "hmm", signature: "sig1" },
                { type: "thinking", text: "unsigned, dropped" },
                { type: "text", text: "" },
                { type: "tool_use", id: "tu1", name: "read", input: { path: "x" } },
              ],
            },
            { role: "user", content: [{ type: "tool_result", toolUseId: "tu1", content: [{ type: "text", text: "file body" }], isError: true }] },
          ],
          { tools, temperature: 0.2 },
        ),
      ),
    );
    const [req] = fake.requests;
    expect(keyOf(req!)).toBe(KEY);
    expect(req!.headers["anthropic-version"]).toBeTruthy();
    const body = req!.body;
    expect(body.stream).toBe(true);
    expect(body.model).toBe("claude-sonnet-4-5");
    expect(body.max_tokens).toBe(1024);
    expect(body.temperature).toBe(0.2);
    expect(body.system).toEqual([{ type: "text", text: "You are a test.", cache_control: { type: "ephemeral" } }]);
    expect(body.tools[0].cache_control).toBeUndefined();
    expect(body.tools[1]).toEqual({ name: "exec", description: "Run a command", input_schema: tools[1]!.inputSchema, cache_control: { type: "ephemeral" } });
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "look" }, { type: "image", source: { type: "base64", media_type: "image/png", data: png } }] },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "hmm", signature: "sig1" },
          { type: "tool_use", id: "tu1", name: "read", input: { path: "x" } },
        ],
      },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "tu1", is_error: true, content: [{ type: "text", text: "file body" }], cache_control: { type: "ephemeral" } }],
      },
    ]);
  });

  test("no system prompt and no tools: neither field is sent", async () => {
    fake.enqueue(reply.text("ok"));
    await collect(provider().p.stream(request("hi", { system: "" })));
    const body = fake.bodies()[0];
    expect(body.system).toBeUndefined();
    expect(body.tools).toBeUndefined();
  });

  test("custom headers reach the server; a wrong key is an auth failure, not retried", async () => {
    fake.enqueue(reply.text("ok"));
    const p = new AnthropicProvider({ apiKey: new ApiKey(KEY), baseURL: fake.url, headers: { "x-team": "blue" } });
    await collect(p.stream(request("hi")));
    expect(fake.requests[0]!.headers["x-team"]).toBe("blue");
    fake.requests.length = 0;
    const clock = fakeSleep();
    const wrong = new AnthropicProvider({ apiKey: new ApiKey("sk-ant-wrong-key-000000"), baseURL: fake.url, retry: { sleep: clock.sleep } });
    const stop = stopOf(await collect(wrong.stream(request("hi"))));
    expect(stop.error).toMatchObject({ kind: "auth", status: 401, retryable: false });
    expect(stop.error!.message).not.toContain("sk-ant-wrong-key-000000");
    expect(fake.requests).toHaveLength(1);
    expect(clock.delays).toEqual([]);
  });
});
