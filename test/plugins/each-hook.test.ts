// One fixture per hook (test/fixtures/plugins/hook-*): each registers exactly its own hook, and
// rewrites, blocks or observes as that hook allows.
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HOOK_NAMES, type HookName } from "../../src/agent/hooks.ts";
import { pluginDataDir } from "../../src/plugins/host.ts";
import { startHost, type TestHost } from "./helpers.ts";

let h: TestHost | undefined;
afterEach(async () => {
  await h?.host.stop();
  h = undefined;
});

const msg = { sessionKey: "s1", agentId: "main", runId: "run_1" };
const call = { sessionKey: "s1", runId: "run_1", toolCallId: "c1" };
const result = { content: [{ type: "text" as const, text: "raw" }], isError: false };

async function only(fixture: string, hook: HookName): Promise<TestHost> {
  const t = await startHost([fixture]);
  expect(HOOK_NAMES.filter((n) => t.target.hooks.has(n))).toEqual([hook]);
  return t;
}

describe("one plugin per hook", () => {
  test("BeforeMessage rewrites or blocks", async () => {
    h = await only("hook-before-message", "BeforeMessage");
    expect(await h.target.hooks.decide("BeforeMessage", { ...msg, text: "hi" })).toMatchObject({ blocked: false, payload: { text: "hi!" } });
    expect(await h.target.hooks.decide("BeforeMessage", { ...msg, text: "block" })).toMatchObject({ blocked: true, reason: "hook-before-message blocks it" });
  });

  test("BeforeToolCall rewrites the input or blocks", async () => {
    h = await only("hook-before-tool-call", "BeforeToolCall");
    expect(await h.target.hooks.decide("BeforeToolCall", { ...call, name: "read", input: { path: "a" } })).toMatchObject({ payload: { input: { path: "a", checked: true } } });
    expect(await h.target.hooks.decide("BeforeToolCall", { ...call, name: "exec", input: {} })).toMatchObject({ blocked: true, reason: "hook-before-tool-call: no exec" });
  });

  test("AfterToolCall rewrites the result", async () => {
    h = await only("hook-after-tool-call", "AfterToolCall");
    const d = await h.target.hooks.decide("AfterToolCall", { ...call, name: "read", input: {}, result, durationMs: 1 });
    expect(d).toEqual({ blocked: false, payload: expect.objectContaining({ result: { content: [{ type: "text", text: "reviewed: read" }], isError: false } }) });
  });

  test("AgentResponse rewrites or blocks the final text", async () => {
    h = await only("hook-agent-response", "AgentResponse");
    expect(await h.target.hooks.decide("AgentResponse", { sessionKey: "s1", runId: "r", text: "done", outcome: "ok" })).toMatchObject({ payload: { text: "done (checked)" } });
    expect(await h.target.hooks.decide("AgentResponse", { sessionKey: "s1", runId: "r", text: "secret plan", outcome: "ok" })).toMatchObject({ blocked: true, reason: "hook-agent-response withholds it" });
  });

  const observers: [string, HookName, Record<string, unknown>][] = [
    ["hook-session-start", "SessionStart", msg],
    ["hook-session-end", "SessionEnd", { sessionKey: "s1", agentId: "main", reason: "reset" }],
    ["hook-after-message", "AfterMessage", { ...msg, userText: "u", text: "t", outcome: "ok", usage: { inputTokens: 1, outputTokens: 2 }, durationMs: 3 }],
    ["hook-error", "Error", { sessionKey: "s1", phase: "tool", error: { type: "X", message: "m" } }],
  ];
  for (const [fixture, hook, payload] of observers) {
    test(`${hook} is observed with its payload`, async () => {
      h = await only(fixture, hook);
      h.target.hooks.observe(hook as "Error", payload as never);
      await h.target.hooks.drain();
      const lines = readFileSync(join(pluginDataDir(h.stateDir, fixture), "events.jsonl"), "utf8").trim().split("\n");
      expect(lines.map((l) => JSON.parse(l))).toEqual([payload]);
    });
  }
});
