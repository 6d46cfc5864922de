// Crash isolation: a plugin that throws, hangs, exits or floods stdout changes nothing it should
// not, is killed if needed, restarted with backoff (an injected sleep records the delays: no
// wall-clock waits), and disabled after repeated crashes with the reason; other plugins keep serving.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import type { HookPayloads } from "../../src/agent/hooks.ts";
import { startHost, waitForPlugin, type TestHost } from "./helpers.ts";

let h: TestHost | undefined;
afterEach(async () => {
  await h?.host.stop();
  h = undefined;
});

const msg = { sessionKey: "s1", agentId: "main", runId: "run_1", text: "hi" };
const call = { sessionKey: "s1", runId: "run_1", toolCallId: "c1", name: "read", input: {} };

function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

function errorEvents(t: TestHost): HookPayloads["Error"][] {
  const seen: HookPayloads["Error"][] = [];
  t.target.hooks.register("Error", (e) => void seen.push(e), { source: "test" });
  return seen;
}

describe("plugin crash isolation", () => {
  test("a plugin that throws at load is restarted with exponential backoff, then disabled with the reason", async () => {
    const s = recordingSleep();
    h = await startHost(["throws-load"], { host: { sleep: s.sleep, random: () => 0, restart: { baseMs: 100, maxMs: 1000, maxCrashes: 4 } } });
    const p = await waitForPlugin(h.host, "throws-load", (x) => x.state === "disabled");
    expect(p.reason).toContain("crashed 4 times in a row");
    expect(p.reason).toContain("throws-load refuses to load");
    expect(p.restarts).toBe(3);
    expect(s.delays).toEqual([50, 100, 200]); // equal jitter with random 0: half of 100·2^n
    expect(h.target.hooks.has("BeforeMessage")).toBe(false);
  });

  test("a hook that throws: no change (BeforeToolCall blocked), an Error hook event, the plugin keeps running", async () => {
    h = await startHost(["throws-call"]);
    const errors = errorEvents(h);
    expect(await h.target.hooks.decide("BeforeMessage", msg)).toEqual({ blocked: false, payload: msg });
    const d = await h.target.hooks.decide("BeforeToolCall", call);
    expect(d).toMatchObject({ blocked: true, source: "plugin throws-call" });
    expect((d as { reason: string }).reason).toContain("throws-call: BeforeToolCall broke");
    await h.target.hooks.drain();
    expect(errors.map((e) => e.phase)).toEqual(["hook", "hook"]);
    expect(errors[0]!.error.message).toContain("the BeforeMessage hook of plugin throws-call failed: throws-call: BeforeMessage broke");
    expect(h.host.list()[0]).toMatchObject({ state: "running", crashes: 0 });
  });

  test("a hook that hangs times out: no change, BeforeToolCall blocked, an Error event; the plugin is killed and restarted", async () => {
    const s = recordingSleep();
    h = await startHost(["hangs"], { config: { plugins: { timeoutMs: 300 } }, host: { sleep: s.sleep } });
    const errors = errorEvents(h);
    expect(await h.target.hooks.decide("BeforeMessage", msg)).toEqual({ blocked: false, payload: msg });
    expect(errors[0]?.error.message).toContain("timed out after 300 ms");
    const p = await waitForPlugin(h.host, "hangs", (x) => x.state === "running" && x.restarts === 1);
    expect(p.crashes).toBe(1);
    // a busy loop blocks the plugin's event loop: the timeout still answers, and the tool call is blocked
    const d = await h.target.hooks.decide("BeforeToolCall", call);
    expect(d).toMatchObject({ blocked: true, source: "plugin hangs" });
    expect((d as { reason: string }).reason).toContain("timed out after 300 ms");
    await waitForPlugin(h.host, "hangs", (x) => x.restarts === 2 && x.state === "running");
  });

  test("a plugin that exits mid-call: no change, restarted; another plugin serves throughout", async () => {
    const s = recordingSleep();
    h = await startHost(["exits", "hooks"], { host: { sleep: s.sleep } });
    const first = await h.target.hooks.decide("BeforeMessage", msg);
    expect(first).toEqual({ blocked: false, payload: { ...msg, text: "hi [hooks]" } }); // exits changed nothing; hooks still rewrote
    const p = await waitForPlugin(h.host, "exits", (x) => x.restarts === 1 && x.state === "running");
    expect(p.crashes).toBe(1);
    expect(h.host.list().find((x) => x.id === "hooks")).toMatchObject({ state: "running", crashes: 0 });
  });

  test("a stdout flood past the line rate kills the plugin with the reason", async () => {
    const s = recordingSleep();
    h = await startHost(["floods"], { host: { sleep: s.sleep, now: () => 0, limits: { maxLines: 500, now: () => 0 }, restart: { maxCrashes: 1 } } });
    expect(await h.target.hooks.decide("BeforeMessage", msg)).toEqual({ blocked: false, payload: msg });
    const p = await waitForPlugin(h.host, "floods", (x) => x.state === "disabled");
    expect(p.reason).toContain("it flooded stdout (more than 500 lines within 1000 ms)");
  });

  test("an endless stdout line kills the plugin with the reason", async () => {
    h = await startHost(["floods"], { host: { restart: { maxCrashes: 1 } } });
    expect(await h.target.hooks.decide("BeforeMessage", { ...msg, text: "long" })).toEqual({ blocked: false, payload: { ...msg, text: "long" } });
    const p = await waitForPlugin(h.host, "floods", (x) => x.state === "disabled");
    expect(p.reason).toContain("a line longer than 4194304 bytes");
  });

  test("plugins.restart re-enables a disabled plugin and clears its crash count", async () => {
    h = await startHost(["exits"], { host: { restart: { maxCrashes: 1 } } });
    await h.target.hooks.decide("BeforeMessage", msg);
    await waitForPlugin(h.host, "exits", (x) => x.state === "disabled");
    expect(h.target.hooks.has("BeforeMessage")).toBe(false);
    expect(await h.host.restart("exits")).toMatchObject({ state: "running", crashes: 0 });
    expect(h.target.hooks.has("BeforeMessage")).toBe(true);
    await expect(h.host.restart("nope")).rejects.toThrow("no plugin nope");
  });
});

describe("disabling", () => {
  test("a disabled plugin's process is killed and its exit is not a crash: it stays disabled", async () => {
    const s = recordingSleep();
    h = await startHost(["hooks"], { host: { sleep: s.sleep } });
    const pid = h.host.list()[0]!.pid!;
    h.host.instance("hooks")!.disable("disabled by the test");
    // pid is cleared in the exit handler, right before the crash logic would run (synchronously)
    await waitForPlugin(h.host, "hooks", (p) => p.pid === undefined);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(h.host.list()[0]).toMatchObject({ state: "disabled", reason: "disabled by the test", restarts: 0 });
    expect(s.delays).toEqual([]);
  });
});
