// The fakes themselves: non-streaming replies, the echo fallback, and driving a fake that runs in
// another process (as the e2e tests of the compiled binary do).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Anthropic } from "@anthropic-ai/sdk";
import { ApiKey } from "../../src/core/secrets.ts";
import { AnthropicProvider } from "../../src/providers/anthropic.ts";
import { OpenAICompatibleProvider } from "../../src/providers/openai-compatible.ts";
import { reply, startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from "../fakes/anthropic.ts";
import { startLoadFake } from "../fakes/anthropic-load.ts";
import { oai, startFakeOpenAI } from "../fakes/openai.ts";
import { collect, request, stopOf, textOfEvents } from "./helpers.ts";

const KEY = "sk-ant-fakes-0123456789abcdef";

describe("fake Anthropic", () => {
  let fake: FakeAnthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic({ fallback: "echo" });
  });
  afterAll(() => fake.stop());

  test("answers non-streaming requests with a Message", async () => {
    fake.enqueue(reply.toolUse("read", { path: "a" }, { id: "tu_9", text: "reading" }));
    const client = new Anthropic({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 });
    const msg = await client.messages.create({ model: "claude-test", max_tokens: 100, messages: [{ role: "user", content: "x" }] });
    expect(msg.content).toEqual([
      { type: "text", text: "reading" },
      { type: "tool_use", id: "tu_9", name: "read", input: { path: "a" } },
    ] as typeof msg.content);
    expect(msg.stop_reason).toBe("tool_use");
  });

  test("echoes the last user text when nothing is queued", async () => {
    const p = new AnthropicProvider({ apiKey: new ApiKey(KEY), baseURL: fake.url });
    expect(textOfEvents(await collect(p.stream(request("echo me, please"))))).toBe("echo me, please");
  });

  test("redacted thinking survives the round trip", async () => {
    fake.enqueue(reply.message([{ type: "redacted_thinking", data: "opaque-blob" }, { type: "text", text: "ok" }]));
    const p = new AnthropicProvider({ apiKey: new ApiKey(KEY), baseURL: fake.url });
    const events = await collect(p.stream(request("hi")));
    const stop = events.at(-1) as Extract<(typeof events)[number], { type: "stop" }>;
    expect(stop.message.content[0]).toEqual({ type: "thinking", text: "", signature: "redacted:opaque-blob" });
    fake.enqueue(reply.text("again"));
    await collect(p.stream(request([{ role: "user", content: [{ type: "text", text: "hi" }] }, stop.message, { role: "user", content: [{ type: "text", text: "more" }] }])));
    expect(fake.bodies().at(-1).messages[1].content[0]).toEqual({ type: "redacted_thinking", data: "opaque-blob" });
  });
});

test("fake OpenAI answers non-streaming and echoes", async () => {
  const fake = await startFakeOpenAI({ fallback: "echo" });
  try {
    fake.enqueue(oai.text("plain json"));
    const res = await fetch(`${fake.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }] }) });
    const j = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    expect(j.choices[0]!.message.content).toBe("plain json");
    const p = new OpenAICompatibleProvider({ id: "ollama", baseUrl: `${fake.url}/v1`, defaultModel: "llama3" });
    expect(textOfEvents(await collect(p.stream(request("say this", { model: "" }))))).toBe("say this");
  } finally {
    await fake.stop();
  }
});

describe("a fake in another process", () => {
  for (const [file, envName] of [
    ["test/fakes/anthropic.ts", "FAKE_ANTHROPIC_URL"],
    ["test/fakes/openai.ts", "FAKE_OPENAI_URL"],
  ] as const) {
    test(`bun ${file} --port 0 prints its URL and can be scripted over HTTP`, async () => {
      const child = Bun.spawn([process.execPath, file, "--port", "0"], { cwd: `${import.meta.dir}/../..`, stdout: "pipe", stderr: "inherit" });
      try {
        const reader = child.stdout.getReader();
        let out = "";
        const deadline = Date.now() + 15_000;
        while (!out.includes("\n") && Date.now() < deadline) {
          const { value, done } = await reader.read();
          if (done) break;
          out += new TextDecoder().decode(value);
        }
        const url = new RegExp(`^${envName}=(http://127\\.0\\.0\\.1:\\d+)$`, "m").exec(out)?.[1];
        expect(url).toBeDefined();
        await fetch(`${url}/_fake/enqueue`, { method: "POST", body: JSON.stringify(file.includes("anthropic") ? reply.text("scripted") : oai.text("scripted")) });
        const p = file.includes("anthropic")
          ? new AnthropicProvider({ apiKey: new ApiKey(KEY), baseURL: url! })
          : new OpenAICompatibleProvider({ id: "vllm", baseUrl: `${url}/v1`, defaultModel: "m" });
        expect(textOfEvents(await collect(p.stream(request("hi"))))).toBe("scripted");
        expect(textOfEvents(await collect(p.stream(request("echo this"))))).toBe("echo this");
        const recorded = (await (await fetch(`${url}/_fake/requests`)).json()) as RecordedRequest[];
        expect(recorded).toHaveLength(2);
      } finally {
        child.kill();
        await child.exited;
      }
    });
  }
});

describe("load fake of Anthropic (benchmarks)", () => {
  const load = startLoadFake();
  afterAll(() => load.stop());

  test("answers our provider's request, whatever its length, with the model it was asked for", async () => {
    const p = new AnthropicProvider({ apiKey: new ApiKey(KEY), baseURL: load.url, maxRetries: 0 });
    const long = request("x".repeat(200_000));
    const events = await collect(p.stream({ ...long, model: "claude-long" }));
    expect(textOfEvents(events)).toBe("ok, noted.");
    expect(events.find((e) => e.type === "start")).toMatchObject({ model: "claude-long" });
    expect(stopOf(events).stopReason).toBe("end_turn");
    expect(load.stats.bytesIn).toBeGreaterThan(200_000);
  });

  test("finds the top-level keys anywhere, and refuses a request that does not stream", async () => {
    const client = new Anthropic({ apiKey: KEY, baseURL: load.url, maxRetries: 0 });
    // the SDK puts model and stream first: the fake falls back to the whole body
    const stream = await client.messages.create({ model: "claude-first", max_tokens: 10, stream: true, messages: [{ role: "user", content: "y".repeat(5_000) }] });
    const seen: string[] = [];
    for await (const ev of stream) if (ev.type === "message_start") seen.push(ev.message.model);
    expect(seen).toEqual(["claude-first"]);
    const refused = await client.messages.create({ model: "claude-x", max_tokens: 10, messages: [{ role: "user", content: "z" }] }).then(
      () => "answered",
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/streaming JSON request is required/);
  });
});
