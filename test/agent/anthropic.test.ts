// The loop over the real AnthropicProvider (SDK) against the fake Messages API on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AgentRuntime } from "../../src/agent/runtime.ts";
import { unavailableExecutor } from "../../src/agent/tool-executor.ts";
import { ApiKey } from "../../src/core/secrets.ts";
import { AnthropicProvider } from "../../src/providers/anthropic.ts";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { allEvents, echoTool } from "./helpers.ts";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.stop());

function runtime(maxRetries = 3) {
  const provider = new AnthropicProvider({
    apiKey: new ApiKey("sk-ant-test-0123456789abcdef"),
    baseURL: fake.url,
    maxRetries,
    retry: { baseDelayMs: 1, maxDelayMs: 2, sleep: async () => {} },
  });
  return new AgentRuntime(provider, { model: "claude-test", systemPrompt: "SYS" })
    .withSandbox(unavailableExecutor({ level: "off" }, "none"))
    .withTools([echoTool()]);
}

describe("the loop over AnthropicProvider", () => {
  test("multi-step tool use: the SDK sends tools, history with tool results, and the stored log matches", async () => {
    fake.requests.length = 0;
    fake.enqueue(reply.toolUse("echo", { text: "ping" }, { text: "checking" }), reply.text("pong received"));
    const rt = runtime();
    const res = await rt.processMessage("anth", "ping please");
    expect(res).toMatchObject({ outcome: "ok", text: "pong received" });
    const bodies = fake.bodies();
    expect(bodies.length).toBe(2);
    expect(bodies[0].tools.map((t: { name: string }) => t.name)).toEqual(["echo"]);
    expect(JSON.stringify(bodies[0].system)).toContain("SYS");
    const second = bodies[1].messages;
    expect(second.map((m: { role: string }) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(second[2].content[0]).toMatchObject({ type: "tool_result", content: [{ type: "text", text: "echo: ping" }] });
    expect((await allEvents(rt.store, "anth")).map((e) => e.type)).toEqual([
      "user_message", "run_started", "assistant_message", "tool_result", "assistant_message", "run_finished",
    ]);
    expect(res.usage.outputTokens).toBeGreaterThan(0);
  });

  test("retries then success: the run is ok and the user saw no error", async () => {
    fake.requests.length = 0;
    fake.enqueue(reply.rateLimited(0), reply.overloaded(), reply.text("finally"));
    const rt = runtime();
    const seen: string[] = [];
    rt.onEvent((e) => seen.push(e.type));
    const res = await rt.processMessage("retry", "hi");
    expect(res).toMatchObject({ outcome: "ok", text: "finally" });
    expect(fake.bodies().length).toBe(3);
    expect(seen).not.toContain("error");
  });

  test("retries exhausted: a clean error outcome, an error event, run_finished recorded", async () => {
    fake.requests.length = 0;
    fake.enqueue(reply.serverError(), reply.serverError(), reply.serverError());
    const rt = runtime(2);
    const errors: unknown[] = [];
    rt.onEvent((e) => e.type === "error" && errors.push(e.error));
    const res = await rt.processMessage("exhaust", "hi");
    expect(res.outcome).toBe("error");
    expect(fake.bodies().length).toBe(3);
    expect(errors.length).toBe(1);
    const last = (await allEvents(rt.store, "exhaust")).at(-1)!.data;
    expect(last).toMatchObject({ type: "run_finished", outcome: "error" });
  });

  test("a connection cut mid tool call: nothing executed, nothing dangling", async () => {
    fake.requests.length = 0;
    const calls: unknown[] = [];
    fake.enqueue(reply.toolUse("echo", { text: "never" }, { cut: true }), reply.toolUse("echo", { text: "never" }, { cut: true }));
    const provider = new AnthropicProvider({ apiKey: new ApiKey("sk-ant-test-0123456789abcdef"), baseURL: fake.url, maxRetries: 0 });
    const rt = new AgentRuntime(provider, { model: "claude-test" }).withTools([echoTool(calls)]).withSandbox(unavailableExecutor({}, "none"));
    const res = await rt.processMessage("cutx", "go");
    expect(res.outcome).toBe("error");
    expect(calls).toEqual([]);
    const stored = await allEvents(rt.store, "cutx");
    expect(JSON.stringify(stored)).not.toContain("tool_use");
  });
});
