// What a tool card needs from the run events: tool_call (name, input, sandbox) and tool_result
// (output, isError, durationMs, sandbox), through the runtime and out of a real /ws socket.
import { afterAll, describe, expect, test } from "bun:test";
import { z } from "zod";
import { HookDispatcher } from "../../src/agent/hooks.ts";
import { DEFAULT_TOOL_SETTINGS } from "../../src/agent/options.ts";
import { AgentRuntime } from "../../src/agent/runtime.ts";
import { runToolCalls } from "../../src/agent/tool-calls.ts";
import { unavailableExecutor } from "../../src/agent/tool-executor.ts";
import type { AgentEvent } from "../../src/agent/types.ts";
import { createLogger } from "../../src/core/log.ts";
import { ApiKey } from "../../src/core/secrets.ts";
import { MemoryConfigSource } from "../../src/gateway/config-source.ts";
import { createGateway } from "../../src/gateway/gateway.ts";
import { serveGateway } from "../../src/gateway/server.ts";
import { defineTool } from "../../src/tools/tool.ts";
import type { Tool } from "../../src/tools/types.ts";
import { say, ScriptedProvider } from "../fakes/scripted-provider.ts";
import { TOKEN, WsClient } from "./helpers.ts";

const clock = { t: 5_000 };
const slow = defineTool({
  name: "slow",
  description: "takes 1234 ms of fake time",
  schema: z.object({ text: z.string() }),
  execute: (input) => {
    clock.t += 1234;
    if (input.text === "fail") throw new Error("it failed");
    return `done: ${input.text}`;
  },
});

describe("tool events", () => {
  test("durationMs from the call's clock, sandbox from the executor, isError and output", async () => {
    const events: AgentEvent[] = [];
    const tools = new Map<string, Tool>([["slow", slow as Tool]]);
    await runToolCalls(
      [
        { type: "tool_use", id: "t1", name: "slow", input: { text: "ok" } },
        { type: "tool_use", id: "t2", name: "slow", input: { text: "fail" } },
      ],
      {
        sessionKey: "s", runId: "run_1", tools, hooks: new HookDispatcher(), executor: unavailableExecutor({ level: "strict" }, "test"),
        settings: DEFAULT_TOOL_SETTINGS, signal: new AbortController().signal, maxParallel: 1, emit: (e) => events.push(e),
        log: createLogger("test"), now: () => clock.t,
      },
    );
    const calls = events.filter((e) => e.type === "tool_call");
    expect(calls.map((c) => [c.name, c.input, c.type === "tool_call" && c.sandbox])).toEqual([["slow", { text: "ok" }, "strict"], ["slow", { text: "fail" }, "strict"]]);
    const results = events.filter((e) => e.type === "tool_result");
    expect(results).toMatchObject([
      { toolCallId: "t1", isError: false, output: "done: ok", durationMs: 1234, sandbox: "strict" },
      { toolCallId: "t2", isError: true, durationMs: 1234, sandbox: "strict" },
    ]);
  });

  test("a client on /ws sees the fields in chat.event notifications", async () => {
    const provider = new ScriptedProvider([say.tool("slow", { text: "ws" }), say.text("ok")]);
    const runtime = new AgentRuntime(provider).withSandbox(unavailableExecutor({ level: "standard" }, "test")).withTools([slow]);
    const gw = createGateway({ runtime, config: new MemoryConfigSource({}), auth: { mode: "token", token: new ApiKey(TOKEN), source: "config" }, version: "test" });
    const srv = serveGateway(gw, { hostname: "127.0.0.1", port: 0 });
    afterAll(async () => {
      await srv.stop(true);
      await runtime.shutdown(0);
      gw.dispose();
    });
    const c = await WsClient.connect(`ws://127.0.0.1:${srv.port}/ws`, { token: TOKEN });
    const sent = await c.call("chat.send", { sessionKey: "agent:main:tools", text: "go" });
    await c.until(() => c.events(sent.result.runId).some((e) => e.type === "final"), 5000, "the run's final event");
    const evs = c.events(sent.result.runId);
    expect(evs.find((e) => e.type === "tool_call")).toMatchObject({ name: "slow", input: { text: "ws" }, sandbox: "standard" });
    const result = evs.find((e) => e.type === "tool_result");
    expect(result).toMatchObject({ name: "slow", isError: false, output: "done: ws", sandbox: "standard" });
    expect(typeof result.durationMs).toBe("number");
    // stored with the result: a card rebuilt from chat.history after a reload has them too
    const history = await c.call("chat.history", { sessionKey: "agent:main:tools" });
    const stored = history.result.entries.find((e: { kind: string }) => e.kind === "tool_result");
    expect(stored.results).toEqual([{ toolCallId: result.toolCallId, isError: false, text: "done: ws", durationMs: result.durationMs, sandbox: "standard" }]);
    c.close();
  });
});
