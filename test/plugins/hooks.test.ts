// Each hook through a real plugin process: rewrites, blocks, observers, priority across plugins.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pluginDataDir } from "../../src/plugins/host.ts";
import { tempDir } from "../tools/helpers.ts";
import { startHost, type TestHost } from "./helpers.ts";

let h: TestHost | undefined;
afterEach(async () => {
  await h?.host.stop();
  h = undefined;
});

const ids = { sessionKey: "s1", agentId: "main", runId: "run_1" };

describe("plugin hooks", () => {
  test("the handshake declares the plugin's hooks; only those are registered", async () => {
    h = await startHost(["tool"]);
    expect(h.host.list()[0]).toMatchObject({ id: "tool", state: "running", hooks: [], tools: ["add_numbers"] });
    for (const n of ["BeforeMessage", "BeforeToolCall", "AgentResponse", "Error"] as const) expect(h.target.hooks.has(n)).toBe(false);
  });

  test("decision hooks rewrite and block as the plugin answers", async () => {
    h = await startHost(["hooks"]);
    const d = h.target.hooks;
    expect(await d.decide("BeforeMessage", { ...ids, text: "hello" })).toEqual({ blocked: false, payload: { ...ids, text: "hello [hooks]" } });
    expect(await d.decide("BeforeMessage", { ...ids, text: "block me" })).toEqual({ blocked: true, reason: "blocked by hooks", source: "plugin hooks" });
    const call = { sessionKey: "s1", runId: "run_1", toolCallId: "c1", input: { a: 1 } };
    expect(await d.decide("BeforeToolCall", { ...call, name: "read" })).toMatchObject({ blocked: false, payload: { input: { a: 1, added: "hooks" } } });
    expect(await d.decide("BeforeToolCall", { ...call, name: "forbidden" })).toMatchObject({ blocked: true, reason: "the hooks plugin forbids it" });
    const result = { content: [{ type: "text" as const, text: "out" }], isError: false };
    const after = await d.decide("AfterToolCall", { ...call, name: "read", result, durationMs: 1 });
    expect(after).toMatchObject({ blocked: false, payload: { result: { content: [{ type: "text", text: "out" }, { type: "text", text: "[after]" }] } } });
    expect(await d.decide("AgentResponse", { sessionKey: "s1", runId: "run_1", text: "done", outcome: "ok" })).toMatchObject({ payload: { text: "DONE" } });
  });

  test("observer hooks are delivered to the plugin and never change the run", async () => {
    h = await startHost(["hooks"]);
    const d = h.target.hooks;
    for (const n of ["SessionStart", "SessionEnd", "AfterMessage", "Error"] as const) expect(d.has(n)).toBe(true);
    d.observe("SessionStart", ids);
    d.observe("SessionEnd", { sessionKey: "s1", agentId: "main", reason: "reset" });
    d.observe("AfterMessage", { ...ids, userText: "u", text: "t", outcome: "completed", usage: { inputTokens: 1, outputTokens: 1 }, durationMs: 1 } as never);
    d.observe("Error", { sessionKey: "s1", phase: "tool", error: { type: "X", message: "m" } });
    await d.drain();
    const lines = readFileSync(join(pluginDataDir(h.stateDir, "hooks"), "seen.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { hook: string; e: { sessionKey: string } });
    expect(lines.map((l) => l.hook).sort()).toEqual(["afterMessage", "error", "sessionEnd", "sessionStart"]);
    expect(lines.every((l) => l.e.sessionKey === "s1")).toBe(true);
    expect(h.log.records.filter((r) => r.level === "warn")).toEqual([]);
  });

  test("priority orders handlers across plugins; a block is final", async () => {
    h = await startHost(["prio-low", "prio-high", "hooks"]);
    const d = h.target.hooks;
    // high (10) → low (1) → hooks (0), each seeing the text as rewritten before it
    expect(await d.decide("BeforeMessage", { ...ids, text: "go" })).toMatchObject({ payload: { text: "go>high>low [hooks]" } });
    // prio-low blocks "stop…": hooks (priority 0) never runs
    expect(await d.decide("BeforeMessage", { ...ids, text: "stop" })).toEqual({ blocked: true, reason: "prio-low stops it", source: "plugin prio-low" });
  });

  test("equal priorities run in discovery order, whichever handshake finishes first", async () => {
    for (const [order, expected] of [[["logs", "hooks"], "hi (logged) [hooks]"], [["hooks", "logs"], "hi [hooks] (logged)"]] as const) {
      h = await startHost([...order]);
      expect(await h.target.hooks.decide("BeforeMessage", { ...ids, text: "hi" })).toMatchObject({ payload: { text: expected } });
      await h.host.stop();
    }
  });

  test("console output and stray stdout writes reach the log tagged with the plugin id", async () => {
    h = await startHost(["logs"]);
    expect(await h.target.hooks.decide("BeforeMessage", { ...ids, text: "hi" })).toMatchObject({ payload: { text: "hi (logged)" } });
    const msgs = h.log.records.filter((r) => r.fields?.plugin === "logs").map((r) => r.msg);
    expect(msgs).toContain("logs: loaded { n: 1 }");
    expect(msgs).toContain("logs: saw hi");
    expect(msgs).toContain("stray stdout text");
  });
});

describe("plugin dependencies", () => {
  test("a plugin that imports a package from its own node_modules works in its sandbox", async () => {
    const root = tempDir("dep-plugin-");
    const dir = join(root, "with-dep");
    mkdirSync(join(dir, "node_modules", "tiny-shout"), { recursive: true });
    writeFileSync(join(dir, "openclaw.plugin.json"), JSON.stringify({ id: "with-dep", configSchema: {} }));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "with-dep", type: "module", dependencies: { "tiny-shout": "1.0.0" }, openclaw: { extensions: ["./index.ts"] } }));
    writeFileSync(join(dir, "index.ts"), 'import { shout } from "tiny-shout";\nimport { definePlugin } from "openclaw-bun/plugin-sdk";\nexport default definePlugin({ id: "with-dep", hooks: { agentResponse: (e) => ({ text: shout(e.text) }) } });\n');
    writeFileSync(join(dir, "node_modules", "tiny-shout", "package.json"), JSON.stringify({ name: "tiny-shout", version: "1.0.0", type: "module", main: "index.js" }));
    writeFileSync(join(dir, "node_modules", "tiny-shout", "index.js"), "export const shout = (s) => `${s.toUpperCase()}!`;\n");
    h = await startHost([], { extra: [dir] });
    expect(h.host.list()[0]).toMatchObject({ id: "with-dep", state: "running" });
    expect(await h.target.hooks.decide("AgentResponse", { sessionKey: "s", runId: "r", text: "hi", outcome: "ok" })).toMatchObject({ payload: { text: "HI!" } });
  });
});

describe("plugin services", () => {
  test("a plugin's services start with the host and stop with it", async () => {
    h = await startHost(["service"]);
    const logFile = join(pluginDataDir(h.stateDir, "service"), "service.log");
    expect(h.host.list()[0]).toMatchObject({ state: "running", services: ["ticker"] });
    expect(readFileSync(logFile, "utf8")).toBe("started\n");
    await h.host.stop();
    expect(readFileSync(logFile, "utf8")).toBe("started\nstopped\n");
    expect(h.host.list()[0]).toMatchObject({ state: "stopped" });
  });
});

describe("plugin log lines", () => {
  test("a plugin cannot forge gateway log lines or log as another plugin", async () => {
    h = await startHost(["forger"]);
    const mine = h.log.records.filter((r) => r.msg.startsWith("forger:"));
    expect(mine.map((r) => r.msg)).toEqual(["forger: hi\\n2026-01-01T00:00:00.000Z ERROR [gateway] forged line", "forger: overwrite\\rforged"]);
    expect(mine[0]!.fields).toEqual({ ok: 2, plugin: "forger", stream: "protocol" });
    expect(h.log.records.some((r) => r.fields?.plugin === "other")).toBe(false);
  });
});
