// Plugin tools: validated against their JSON Schema before the plugin is called, run in the plugin
// process, subject to tools.allow/deny, and used by the model in a full turn (real AgentRuntime,
// real Anthropic SDK against the fake Messages API).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { AgentRuntime } from "../../src/agent/runtime.ts";
import { unavailableExecutor } from "../../src/agent/tool-executor.ts";
import { ApiKey } from "../../src/core/secrets.ts";
import { AnthropicProvider } from "../../src/providers/anthropic.ts";
import type { ToolContext } from "../../src/tools/types.ts";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { toolContext } from "../tools/helpers.ts";
import { startHost, type TestHost } from "./helpers.ts";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await fake.stop();
});
let h: TestHost | undefined;
afterEach(async () => {
  await h?.host.stop();
  h = undefined;
});

const text = (r: { content: { type: string; text?: string }[] }) => r.content.map((b) => b.text ?? "").join("");

describe("plugin tools", () => {
  test("input is checked against the plugin's JSON Schema; nothing invalid reaches the plugin", async () => {
    h = await startHost(["tool"]);
    const tool = h.target.tools.get("add_numbers")!;
    expect(tool.inputSchema).toEqual({ type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"], additionalProperties: false });
    const ok = await tool.run({ a: 2, b: 3 }, toolContext({ toolCallId: "call_9" }) as ToolContext);
    expect(ok).toEqual({ content: [{ type: "text", text: "sum=5 (call call_9)" }], isError: false });
    const bad = await tool.run({ a: "two" }, toolContext() as ToolContext);
    expect(bad.isError).toBe(true);
    expect(text(bad)).toContain("invalid input for add_numbers; nothing was run");
    expect(text(bad)).toContain("must have required property 'b'");
  });

  test("a plugin tool cannot take a built-in's name", async () => {
    const { fakeTarget } = await import("./helpers.ts");
    h = await startHost(["tool"], { host: { targets: [fakeTarget(["add_numbers"])] } });
    expect(h.log.records.map((r) => r.msg)).toContain("plugin tool: tool add_numbers is not registered: the name is taken by a built-in tool; rename the plugin's tool");
  });

  test("a disabled plugin's tool answers why instead of running", async () => {
    h = await startHost(["tool"]);
    h.host.instance("tool")!.disable("a test disabled it");
    const r = await h.target.tools.get("add_numbers")!.run({ a: 1, b: 1 }, toolContext() as ToolContext);
    expect(r).toMatchObject({ isError: true });
    expect(text(r)).toContain("plugin tool is disabled: a test disabled it");
  });

  test("in a full turn a plugin's BeforeMessage block reaches the user and nothing reaches the model", async () => {
    const rt = new AgentRuntime(new AnthropicProvider({ apiKey: new ApiKey("sk-ant-test-plugin-tools-0000"), baseURL: fake.url }), { model: "claude-test" }).withSandbox(
      unavailableExecutor({ level: "off" }, "none"),
    );
    h = await startHost(["prio-low"], { host: { targets: [rt] } });
    const before = fake.requests.length;
    const res = await rt.processMessage("s-block", "stop everything");
    expect(res).toMatchObject({ outcome: "aborted", cause: "blocked" });
    expect(res.reason).toBe("message blocked by the BeforeMessage hook of plugin prio-low: prio-low stops it");
    expect(fake.requests.length).toBe(before);
    await rt.shutdown(100);
  });

  test("in a full turn a failing plugin BeforeToolCall blocks the call and the model reads why", async () => {
    const rt = new AgentRuntime(new AnthropicProvider({ apiKey: new ApiKey("sk-ant-test-plugin-tools-0000"), baseURL: fake.url }), { model: "claude-test" }).withSandbox(
      unavailableExecutor({ level: "off" }, "none"),
    );
    h = await startHost(["tool", "throws-call"], { host: { targets: [rt] } });
    fake.enqueue(reply.toolUse("add_numbers", { a: 1, b: 2 }, { id: "toolu_b" }), reply.text("could not"));
    expect((await rt.processMessage("s-btc", "add")).text).toBe("could not");
    const last = JSON.stringify((fake.requests.at(-1)!.body as { messages: unknown[] }).messages.at(-1));
    expect(last).toContain("the call to add_numbers was blocked: the BeforeToolCall hook of plugin throws-call failed");
    expect(last).not.toContain("sum=3");
    await rt.shutdown(100);
  });

  test("the model calls a plugin tool in a full turn; tools.deny hides it", async () => {
    const rt = new AgentRuntime(new AnthropicProvider({ apiKey: new ApiKey("sk-ant-test-plugin-tools-0000"), baseURL: fake.url }), { model: "claude-test" }).withSandbox(
      unavailableExecutor({ level: "off" }, "none"),
    );
    h = await startHost(["tool"], { host: { targets: [rt] } });
    expect(rt.toolSpecs().map((s) => s.name)).toContain("add_numbers");
    fake.enqueue(reply.toolUse("add_numbers", { a: 20, b: 22 }, { id: "toolu_1" }), reply.text("The sum is 42."));
    const res = await rt.processMessage("s-tools", "add 20 and 22");
    expect(res.text).toBe("The sum is 42.");
    const second = fake.requests.at(-1)!.body as { messages: { role: string; content: unknown }[]; tools: { name: string }[] };
    expect(second.tools.map((t) => t.name)).toContain("add_numbers");
    expect(JSON.stringify(second.messages.at(-1))).toContain("sum=42 (call toolu_1)");
    rt.setToolPolicy({ deny: ["add_numbers"] });
    expect(rt.toolSpecs().map((s) => s.name)).not.toContain("add_numbers");
    await rt.shutdown(100);
  });
});
