import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { defineTool } from "../../src/tools/tool.ts";
import { say, ScriptedProvider } from "../fakes/scripted-provider.ts";
import { allEvents, deferred, echoTool, eventTypes, makeRuntime } from "./helpers.ts";

describe("the tool loop", () => {
  test("multi-step tool use ends in text; every step is stored as documented", async () => {
    const calls: unknown[] = [];
    const { runtime, provider, store } = makeRuntime([
      say.tool("echo", { text: "one" }, { text: "Let me check.", usage: { inputTokens: 10, outputTokens: 5 } }),
      say.tool("echo", { text: "two" }, { usage: { inputTokens: 20, outputTokens: 5 } }),
      say.text("All done.", { usage: { inputTokens: 30, outputTokens: 3 } }),
    ]);
    runtime.withTools([echoTool(calls)]);
    const events: string[] = [];
    runtime.onEvent((e) => events.push(e.type));
    const res = await runtime.processMessage("s1", "hello");

    expect(res.outcome).toBe("ok");
    expect(res.text).toBe("All done.");
    expect(res.usage).toEqual({ inputTokens: 60, outputTokens: 13, cacheReadTokens: 0, cacheWriteTokens: 0 });
    expect(calls).toEqual([{ text: "one" }, { text: "two" }]);
    expect(events).toEqual(["run_started", "text_delta", "tool_call", "tool_result", "tool_call", "tool_result", "text_delta", "final"]);

    const stored = await allEvents(store, "s1");
    expect(stored.map((e) => e.type)).toEqual([
      "user_message", "run_started", "assistant_message", "tool_result", "assistant_message", "tool_result", "assistant_message", "run_finished",
    ]);
    const runIds = new Set(stored.map((e) => ("runId" in e.data ? e.data.runId : "")));
    expect(runIds).toEqual(new Set([res.runId]));
    const first = stored[2]!.data;
    if (first.type !== "assistant_message") throw new Error("expected assistant_message");
    expect(first.stopReason).toBe("tool_use");
    expect(first.message.content.map((b) => b.type)).toEqual(["text", "tool_use"]);
    const result = stored[3]!.data;
    if (result.type !== "tool_result") throw new Error("expected tool_result");
    expect(result.message.role).toBe("user");
    expect(result.message.content).toEqual([{ type: "tool_result", toolUseId: (first.message.content[1] as { id: string }).id, content: [{ type: "text", text: "echo: one" }], isError: false }]);
    const finished = stored[7]!.data;
    if (finished.type !== "run_finished") throw new Error("expected run_finished");
    expect(finished.outcome).toBe("ok");
    expect(finished.usage?.outputTokens).toBe(13);

    // the third request carried the whole exchange: user, assistant(tool_use), user(tool_result) ×2
    const third = provider.requests[2]!;
    expect(third.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user"]);
    expect(third.tools.map((t) => t.name)).toEqual(["echo"]);
    expect(third.tools[0]!.inputSchema).toMatchObject({ type: "object", properties: { text: { type: "string" } } });
  });

  test("a second run sees the first run as history", async () => {
    const { runtime, provider } = makeRuntime([say.text("first answer"), say.text("second answer")]);
    await runtime.processMessage("s", "q1");
    await runtime.processMessage("s", "q2");
    const msgs = provider.requests[1]!.messages;
    expect(msgs.map((m) => [m.role, m.content.map((b) => (b.type === "text" ? b.text : b.type))])).toEqual([
      ["user", ["q1"]], ["assistant", ["first answer"]], ["user", ["q2"]],
    ]);
  });

  test("parallel tool calls in one message run concurrently and results keep call order", async () => {
    let active = 0;
    let maxActive = 0;
    const gate = deferred();
    const slow = defineTool({
      name: "slow",
      description: "waits",
      schema: z.object({ n: z.number() }),
      execute: async ({ n }) => {
        active++;
        maxActive = Math.max(maxActive, active);
        if (active === 3) gate.resolve();
        await gate.promise;
        await new Promise((r) => setTimeout(r, (3 - n) * 5));
        active--;
        return `done ${n}`;
      },
    });
    const { runtime, store } = makeRuntime([say.tools([1, 2, 3].map((n) => ({ name: "slow", input: { n } }))), say.text("ok")]);
    runtime.withTools([slow]);
    const res = await runtime.processMessage("p", "go");
    expect(res.outcome).toBe("ok");
    expect(maxActive).toBe(3);
    const tr = (await allEvents(store, "p")).find((e) => e.type === "tool_result")!.data;
    if (tr.type !== "tool_result") throw new Error();
    expect(tr.message.content.map((b) => (b.type === "tool_result" ? (b.content[0] as { text: string }).text : ""))).toEqual(["done 1", "done 2", "done 3"]);
  });

  test("invalid tool arguments go back as the tool's validation error; nothing runs", async () => {
    const calls: unknown[] = [];
    const { runtime, provider } = makeRuntime([say.tool("echo", { text: 42 }), say.text("fixed")]);
    runtime.withTools([echoTool(calls)]);
    const results: { isError: boolean; output: string }[] = [];
    runtime.onEvent((e) => e.type === "tool_result" && results.push(e));
    const res = await runtime.processMessage("v", "go");
    expect(res.text).toBe("fixed");
    expect(calls).toEqual([]);
    expect(results[0]!.isError).toBe(true);
    expect(results[0]!.output).toContain("invalid input for echo");
    expect(results[0]!.output).toContain("text");
    const sent = provider.requests[1]!.messages.at(-1)!.content[0]!;
    expect(sent).toMatchObject({ type: "tool_result", isError: true });
  });

  test("an unknown tool gets an error result naming the available tools", async () => {
    const { runtime } = makeRuntime([say.tool("rm_rf", {}), say.text("sorry")]);
    runtime.withTools([echoTool()]);
    const outputs: string[] = [];
    runtime.onEvent((e) => e.type === "tool_result" && outputs.push(e.output));
    await runtime.processMessage("u", "go");
    expect(outputs[0]).toBe('unknown tool "rm_rf"; available tools: echo');
  });

  test("a model that calls a tool forever is stopped at the step limit and recorded as limit", async () => {
    const calls: unknown[] = [];
    const provider = new ScriptedProvider(() => say.tool("echo", { text: "again" }));
    const { runtime, store } = makeRuntime(provider, { limits: { maxSteps: 4 } });
    runtime.withTools([echoTool(calls)]);
    const res = await runtime.processMessage("loop", "go");
    expect(res.outcome).toBe("limit");
    expect(res.reason).toContain("step limit");
    expect(calls.length).toBe(4);
    expect(provider.calls).toBe(4);
    const types = await eventTypes(store, "loop");
    expect(types.filter((t) => t === "tool_result").length).toBe(4);
    expect(types.at(-1)).toBe("run_finished");
    const last = (await allEvents(store, "loop")).at(-1)!.data;
    expect(last).toMatchObject({ type: "run_finished", outcome: "limit" });
  });

  test("a cut stream never executes its tool call; the run ends in error with an error event", async () => {
    const calls: unknown[] = [];
    const { runtime, store, provider } = makeRuntime([{ text: "partial", toolCalls: [{ name: "echo", input: { text: "x" } }], cut: true }, say.text("next")]);
    runtime.withTools([echoTool(calls)]);
    const seen: string[] = [];
    runtime.onEvent((e) => seen.push(e.type));
    const res = await runtime.processMessage("cut", "go");
    expect(res.outcome).toBe("error");
    expect(res.reason).toContain("cut");
    expect(calls).toEqual([]);
    expect(seen.slice(-2)).toEqual(["error", "final"]);
    expect(seen).not.toContain("tool_call");
    const stored = await allEvents(store, "cut");
    expect(stored.map((e) => e.type)).toEqual(["user_message", "run_started", "assistant_message", "run_finished"]);
    expect(stored[2]!.data).toMatchObject({ stopReason: "error", message: { content: [{ type: "text", text: "partial" }] } });
    // the next run's history has the partial text and no tool_use
    await runtime.processMessage("cut", "again");
    const msgs = provider.requests[1]!.messages;
    expect(JSON.stringify(msgs)).not.toContain("tool_use");
    expect(msgs.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
  });

  test("output token budget stops the run as limit", async () => {
    const provider = new ScriptedProvider(() => say.tool("echo", { text: "t" }, { usage: { outputTokens: 60 } }));
    const { runtime } = makeRuntime(provider, { limits: { maxOutputTokens: 100 } });
    runtime.withTools([echoTool()]);
    const res = await runtime.processMessage("tok", "go");
    expect(res.outcome).toBe("limit");
    expect(res.reason).toContain("output token limit");
    expect(provider.calls).toBe(2);
    expect(provider.requests[1]!.maxTokens).toBe(40);
  });

  test("a reply cut by max_tokens is recorded as limit", async () => {
    const { runtime } = makeRuntime([say.text("truncated answ", { stopReason: "max_tokens" })]);
    const res = await runtime.processMessage("mt", "go");
    expect(res).toMatchObject({ outcome: "limit", text: "truncated answ" });
  });

  test("thinking is requested only while the token budget leaves room above its budget", async () => {
    const provider = new ScriptedProvider(() => say.tool("echo", { text: "t" }, { usage: { outputTokens: 60 } }));
    const { runtime } = makeRuntime(provider, { limits: { maxOutputTokens: 100 }, thinking: { budgetTokens: 50 } });
    runtime.withTools([echoTool()]);
    await runtime.processMessage("think", "go");
    expect(provider.requests.map((r) => [r.maxTokens, r.thinking?.budgetTokens])).toEqual([[100, 50], [40, undefined]]);
  });
});
