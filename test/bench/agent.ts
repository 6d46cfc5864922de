// Benchmark: what the agent loop costs per turn on top of the model stream. An instant in-process
// provider (no timers, one text delta) isolates the loop: store appends, history rebuild, events,
// scheduling. Baseline: the same provider stream consumed bare. Then turns/s across 100 sessions
// and RSS after 10,000 turns, with MemoryStore and with the SQLite store (WAL, synchronous=FULL).
// Prints median / p99 / RSS; not a pass/fail test.
// Run: node_modules/.bin/bun test/bench/agent.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentRuntime } from "../../src/agent/runtime.ts";
import { configureLogging } from "../../src/core/log.ts";
import type { ProviderRequest } from "../../src/providers/types.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import type { SessionStore } from "../../src/store/types.ts";
import { ScriptedProvider } from "../fakes/scripted-provider.ts";
import { quantile, timeEach } from "./measure.ts";

configureLogging({ level: "error" });
const mib = () => (process.memoryUsage().rss / 2 ** 20).toFixed(0);
const req: ProviderRequest = { model: "", system: "s", messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }], tools: [], maxTokens: 100 };

function line(name: string, times: number[]): void {
  times.sort((a, b) => a - b);
  const q = (p: number) => quantile(times, p);
  console.log(`${name.padEnd(52)} median ${(q(0.5) * 1000).toFixed(1).padStart(7)} µs   p99 ${(q(0.99) * 1000).toFixed(1).padStart(7)} µs   rss ${mib()} MiB`);
}

// 1. per turn, sequential: bare stream vs a full run (MemoryStore), sessions of 10 turns each
const bare = ScriptedProvider.instant("ok");
line("baseline: bare provider stream", await timeEach(5000, async () => {
  for await (const _ of bare.stream(req)) void _;
}));
const rt1 = new AgentRuntime(ScriptedProvider.instant("ok"));
line("agent turn (MemoryStore, 10-turn sessions)", await timeEach(5000, (i) => rt1.processMessage(`seq:${Math.floor(i / 10)}`, "hi")));

// 2. throughput and memory: 10,000 turns = 100 sessions × 100 turns, all sessions submitted at once
async function many(label: string, store: SessionStore, maxConcurrent: number): Promise<void> {
  const rt = new AgentRuntime(ScriptedProvider.instant("ok"), { maxConcurrent }).withStore(store);
  const t = performance.now();
  const done: Promise<unknown>[] = [];
  for (let turn = 0; turn < 100; turn++) {
    for (let s = 0; s < 100; s++) done.push(rt.start({ sessionKey: `many:${s}`, text: `turn ${turn}` }).then((h) => h.done));
  }
  await Promise.all(done);
  const secs = (performance.now() - t) / 1000;
  console.log(`${label.padEnd(52)} ${(10_000 / secs).toFixed(0).padStart(7)} turns/s   10,000 turns in ${secs.toFixed(2)} s   rss ${mib()} MiB`);
}
await many("100 sessions × 100 turns, MemoryStore, maxConcurrent 16", new MemoryStore(), 16);
const dir = mkdtempSync(join(tmpdir(), "bench-agent-"));
try {
  const { openStore } = await import("../../src/store/sqlite.ts");
  const store = await openStore(join(dir, "bench.db"));
  await many("100 sessions × 100 turns, SQLite, maxConcurrent 16", store, 16);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
