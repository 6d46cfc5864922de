import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { ApiKey } from "../../src/core/secrets.ts";
import { OpenAICompatibleProvider } from "../../src/providers/openai-compatible.ts";
import { oai, startFakeOpenAI, type FakeOpenAI } from "../fakes/openai.ts";
import { collect, fakeSleep, ofType, request, stopOf, textOfEvents } from "./helpers.ts";

const KEY = "sk-or-test-key-0123456789abcdef";
const tools = [{ name: "exec", description: "Run a command", inputSchema: { type: "object", properties: { command: { type: "string" } } } }];
let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: KEY });
});
afterAll(() => fake.stop());
afterEach(() => {
  fake.requests.length = 0;
  expect(fake.pending()).toBe(0);
});

function provider(extra: { maxRetries?: number; timeoutMs?: number } = {}) {
  const clock = fakeSleep();
  const p = new OpenAICompatibleProvider({ id: "openrouter", baseUrl: `${fake.url}/v1/`, apiKey: new ApiKey(KEY), retry: { sleep: clock.sleep, random: () => 0.5 }, ...extra });
  return { p, delays: clock.delays };
}

describe("OpenAICompatibleProvider", () => {
  test("streams text with usage from the final chunk", async () => {
    fake.enqueue(oai.text("Hello from a local model", { usage: { prompt_tokens: 30, completion_tokens: 6, cached_tokens: 10 } }));
    const events = await collect(provider().p.stream(request("hi", { model: "meta-llama/llama-3.1-8b" })));
    expect(textOfEvents(events)).toBe("Hello from a local model");
    const stop = stopOf(events);
    expect(stop.stopReason).toBe("end_turn");
    expect(stop.message.content).toEqual([{ type: "text", text: "Hello from a local model" }]);
    expect(stop.usage).toEqual({ inputTokens: 20, outputTokens: 6, cacheReadTokens: 10, cacheWriteTokens: 0 });
    const [req] = fake.requests;
    expect(req!.path).toBe("/v1/chat/completions");
    expect(req!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req!.body).toMatchObject({ model: "meta-llama/llama-3.1-8b", stream: true, stream_options: { include_usage: true }, max_tokens: 1024 });
  });

  test("streamed tool calls are assembled by index (parallel calls)", async () => {
    fake.enqueue(
      oai.toolCalls(
        [
          { name: "exec", args: { command: "ls -la" }, id: "call_a" },
          { name: "exec", args: { command: "cat README.md" }, id: "call_b" },
        ],
        { text: "Checking." },
      ),
    );
    const events = await collect(provider().p.stream(request("look", { tools })));
    expect(ofType(events, "tool_call_start").map((e) => e.id)).toEqual(["call_a", "call_b"]);
    const deltasA = ofType(events, "tool_call_delta").filter((d) => d.id === "call_a");
    expect(deltasA.length).toBeGreaterThan(1);
    expect(ofType(events, "tool_call_end").map((e) => e.call)).toEqual([
      { type: "tool_use", id: "call_a", name: "exec", input: { command: "ls -la" } },
      { type: "tool_use", id: "call_b", name: "exec", input: { command: "cat README.md" } },
    ]);
    const stop = stopOf(events);
    expect(stop.stopReason).toBe("tool_use");
    expect(stop.message.content[0]).toEqual({ type: "text", text: "Checking." });
  });

  test("maps history to tool_calls and role tool messages, and tools to functions", async () => {
    fake.enqueue(oai.text("ok"));
    await collect(
      provider().p.stream(
        request(
          [
            { role: "user", content: [{ type: "text", text: "run ls" }] },
            { role: "assistant", content: [{ type: "thinking", text: "private" }, { type: "tool_use", id: "c1", name: "exec", input: { command: "ls" } }] },
            {
              role: "user",
              content: [
                { type: "tool_result", toolUseId: "c1", content: [{ type: "text", text: "a.txt" }], isError: false },
                { type: "text", text: "and now?" },
              ],
            },
          ],
          { tools, system: "Be brief." },
        ),
      ),
    );
    const body = fake.bodies()[0];
    expect(body.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "run ls" },
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "exec", arguments: '{"command":"ls"}' } }] },
      { role: "tool", tool_call_id: "c1", content: "a.txt" },
      { role: "user", content: "and now?" },
    ]);
    expect(body.tools).toEqual([{ type: "function", function: { name: "exec", description: "Run a command", parameters: tools[0]!.inputSchema } }]);
  });

  test("invalid tool arguments: malformed error, no tool_call_end", async () => {
    fake.enqueue(oai.toolCall("exec", '{"command": "ls"'));
    const events = await collect(provider().p.stream(request("go", { tools })));
    expect(ofType(events, "tool_call_end")).toHaveLength(0);
    expect(stopOf(events).error).toMatchObject({ kind: "malformed" });
  });

  test("connection dropped mid tool call: error, no tool_call_end, not retried", async () => {
    fake.enqueue(oai.toolCall("exec", { command: "make -j8 all" }, { cut: true }));
    const { p, delays } = provider();
    const events = await collect(p.stream(request("go", { tools })));
    expect(ofType(events, "tool_call_start")).toHaveLength(1);
    expect(ofType(events, "tool_call_end")).toHaveLength(0);
    const stop = stopOf(events);
    expect(stop.stopReason).toBe("error");
    expect(stop.error!.retryable).toBe(true);
    expect(fake.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  test("429 with retry-after then success; 400 not retried", async () => {
    fake.enqueue(oai.rateLimited(3), oai.text("ok"));
    const a = provider();
    expect(textOfEvents(await collect(a.p.stream(request("hi"))))).toBe("ok");
    expect(a.delays).toEqual([3000]);
    fake.requests.length = 0;
    fake.enqueue(oai.badRequest("context too long"));
    const b = provider();
    const stop = stopOf(await collect(b.p.stream(request("hi"))));
    expect(stop.error).toMatchObject({ kind: "invalid_request", status: 400, retryable: false });
    expect(stop.error!.message).toContain("context too long");
    expect(fake.requests).toHaveLength(1);
  });

  test("5xx exhausted gives one clean error", async () => {
    fake.enqueue(oai.serverError(502), oai.serverError(503));
    const { p, delays } = provider({ maxRetries: 1 });
    const events = await collect(p.stream(request("hi")));
    expect(events).toHaveLength(1);
    expect(stopOf(events).error).toMatchObject({ kind: "server_error", status: 503, retryable: true });
    expect(delays).toHaveLength(1);
  });

  test("an error chunk after text ends the stream with that error, not retried", async () => {
    fake.enqueue(oai.text("partial", { streamError: { message: "upstream overloaded", code: 529 } }));
    const events = await collect(provider().p.stream(request("hi")));
    expect(textOfEvents(events)).toBe("partial");
    expect(stopOf(events).error).toMatchObject({ kind: "overloaded" });
    expect(fake.requests).toHaveLength(1);
  });

  test("reasoning deltas become thinking; a missing [DONE] after finish is fine", async () => {
    fake.enqueue(oai.text("4", { reasoning: "2 plus 2", noDone: true }));
    const events = await collect(provider().p.stream(request("2+2?")));
    expect(ofType(events, "thinking_delta").map((e) => e.text).join("")).toBe("2 plus 2");
    expect(stopOf(events).message.content).toEqual([{ type: "thinking", text: "2 plus 2" }, { type: "text", text: "4" }]);
  });

  test("abort mid-stream ends aborted", async () => {
    fake.enqueue(oai.text("streaming slowly", { hold: true }));
    const ctl = new AbortController();
    const events = await collect(provider().p.stream(request("hi"), ctl.signal), (ev) => {
      if (ev.type === "text_delta") ctl.abort();
    });
    expect(stopOf(events).stopReason).toBe("aborted");
  });

  test("no model and no default: a clear error without a request", async () => {
    const p = new OpenAICompatibleProvider({ id: "ollama", baseUrl: `${fake.url}/v1` });
    const stop = stopOf(await collect(p.stream(request("hi", { model: "" }))));
    expect(stop.error!.message).toContain("no model given");
    expect(fake.requests).toHaveLength(0);
  });

  test("api.openai.com uses max_completion_tokens (checked through the body builder)", async () => {
    const { toChatBody } = await import("../../src/providers/openai-map.ts");
    expect(toChatBody(request("x"), "gpt-5", { maxTokensField: "max_completion_tokens" })).toMatchObject({ max_completion_tokens: 1024 });
  });
});
