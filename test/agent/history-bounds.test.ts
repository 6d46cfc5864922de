import { expect, test } from "bun:test";
import { AgentRuntime } from "../../src/agent/runtime.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { ScriptedProvider } from "../fakes/scripted-provider.ts";

test("agents.defaults.historyCache bounds the runtime's history cache: sessions past maxSessions are evicted", async () => {
  const rt = new AgentRuntime(ScriptedProvider.instant("ok"), { historyCache: { maxSessions: 3 } }).withStore(new MemoryStore());
  for (let i = 0; i < 8; i++) await rt.processMessage(`agent:main:h${i}`, "hello");
  const s = rt.memoryStats();
  expect(s.historySessions).toBe(3);
  expect(s.runsActive).toBe(0);
  expect(s.historyBytes).toBeGreaterThan(0);
});
