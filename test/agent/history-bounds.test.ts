import { expect, test } from "bun:test";
import { AgentRuntime } from "../../src/agent/runtime.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { ScriptedProvider } from "../fakes/scripted-provider.ts";

test("agents.defaults.historyCache bounds the runtime's history cache: sessions past maxSessions are evicted", async () => {
  const rt = new AgentRuntime(ScriptedProvider.instant("ok"), { historyCache: { maxSessions: 3 } }).withStore(new MemoryStore());
  for (let i = 0; i < 8; i++) for (let turn = 0; turn < 2; turn++) await rt.processMessage(`agent:main:h${i}`, "hello"); // cached from the second turn
  const s = rt.memoryStats();
  expect(s.historySessions).toBe(3);
  expect(s.runsActive).toBe(0);
  expect(s.historyBytes).toBeGreaterThan(0);
});

test("agents.defaults.historyCache.idleMs: an idle session's history is dropped from memory by the sweep, its next turn still sees it", async () => {
  const store = new MemoryStore();
  const provider = new ScriptedProvider(() => ({ text: "ok" }));
  const rt = new AgentRuntime(provider, { historyCache: { idleMs: 50 } }).withStore(store);
  await rt.processMessage("agent:main:idle", "remember me");
  await rt.processMessage("agent:main:idle", "and me");
  expect(rt.memoryStats().historySessions).toBe(1);
  // the sweep runs every max(1 s, idleMs / 4)
  for (let i = 0; i < 100 && (rt.memoryStats().historySessions ?? 0) > 0; i++) await Bun.sleep(50);
  expect(rt.memoryStats().historySessions).toBe(0);
  await rt.processMessage("agent:main:idle", "and again");
  await rt.processMessage("agent:main:idle", "once more");
  const sent = JSON.stringify(provider.requests.at(-1)?.messages); // the last turn's request
  expect(sent).toContain("remember me"); // rebuilt from the log
  expect(sent).toContain("and again");
  expect(sent).toContain("once more");
  expect(rt.memoryStats().historySessions).toBe(1);
  await rt.shutdown(100);
  expect(rt.memoryStats().historySessions).toBe(0); // shutdown stops the sweep and drops the cache
});
