/**
 * The headline benchmark, measured the way a user runs it (prints figures; not a pass/fail test):
 * the compiled binary with its default config (only the provider key + URL and the gateway token
 * set), the Anthropic load fake over real HTTP in a second process, the load generator (drive.ts)
 * in a third. Each phase next to its floors measured in the same run (floor.ts: a bare WebSocket
 * echo, and the echo after a batched durable commit), so the ratio to the floor is visible.
 *
 *   one session         1 session, closed loop: p50 / p99 send → final
 *   1,000 sessions      1,000 sessions over 100 connections, one message each in flight: msg/s
 *   session length      per-message latency of a new session vs one already holding ~10,000 events
 *
 * Env: BENCH_MESSAGES (default 50,000 for the 1,000-session phase), BENCH_CPU_PROF=<dir> (profile
 * the gateway: the binary is run with BUN_OPTIONS=--cpu-prof), BENCH_ONLY=one|many|length.
 */
import { driveInChild, type DriveResult } from "./oop/drive.ts";
import { BENCH_TOKEN, cpuMsOf, rssOf, spawnWithLine, startBinary, startProvider, type Child } from "./oop/gateway-proc.ts";

const only = process.env.BENCH_ONLY;
const many = Number(process.env.BENCH_MESSAGES ?? 50_000);
const fmt = (r: DriveResult) =>
  `${r.rate.toFixed(0).padStart(7)} msg/s   p50 ${r.p50.toFixed(3).padStart(8)} ms   p99 ${r.p99.toFixed(3).padStart(8)} ms   (${r.messages} msgs in ${r.seconds.toFixed(1)} s)`;

async function floor(mode: "echo" | "commit"): Promise<Child> {
  return spawnWithLine([process.execPath, `${import.meta.dir}/oop/floor.ts`, mode], "FLOOR_URL");
}

const provider = await startProvider();
const profEnv: Record<string, string> = {
  ...(process.env.BENCH_CPU_PROF ? { BUN_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF}` } : {}),
  ...(process.env.OPENCLAW_HEAP_BUDGET_MB ? { OPENCLAW_HEAP_BUDGET_MB: process.env.OPENCLAW_HEAP_BUDGET_MB } : {}), // A/B of the GC budget
};
// BENCH_MAX_CONCURRENT=<n> sets agents.defaults.maxConcurrent (otherwise the default config's)
const maxConcurrent = process.env.BENCH_MAX_CONCURRENT ? Number(process.env.BENCH_MAX_CONCURRENT) : undefined;
const gw = await startBinary(provider.url, { env: profEnv, ...(maxConcurrent ? { config: { agents: { defaults: { maxConcurrent } } } } : {}) });
const wsUrl = `ws://127.0.0.1:${gw.port}/ws`;
console.log(`gateway: dist/openclaw (${maxConcurrent ? `maxConcurrent ${maxConcurrent}` : "default config"}), provider: ${provider.url}, ${navigator.hardwareConcurrency} cores`);

async function phase(name: string, o: { sessions: number; connections: number; messages: number; prefix: string }): Promise<void> {
  const echo = await floor("echo");
  const commit = await floor("commit");
  const f1 = await driveInChild({ kind: "floor", url: echo.url, ...o, maxSeconds: 60 });
  const f2 = await driveInChild({ kind: "floor", url: commit.url, ...o, maxSeconds: 60 });
  await echo.stop();
  await commit.stop();
  await driveInChild({ kind: "gateway", url: wsUrl, token: BENCH_TOKEN, ...o, messages: Math.min(o.messages, 2_000), prefix: `warm-${o.prefix}`, maxSeconds: 60 });
  const cpu0 = cpuMsOf(gw.pid);
  const g = await driveInChild({ kind: "gateway", url: wsUrl, token: BENCH_TOKEN, ...o, maxSeconds: 180 });
  const cpu = (cpuMsOf(gw.pid) - cpu0) / Math.max(1, g.messages);
  console.log(`\n${name}`);
  console.log(`  floor: ws echo             ${fmt(f1)}`);
  console.log(`  floor: batched commit      ${fmt(f2)}`);
  console.log(`  openclaw (binary)          ${fmt(g)}   gateway cpu ${(cpu * 1000).toFixed(0)} µs/msg   rss ${(rssOf(gw.pid) / 2 ** 20).toFixed(0)} MiB`);
  console.log(`  ratio to batched commit    rate ${(g.rate / f2.rate).toFixed(2)}   p50 ${(g.p50 / f2.p50).toFixed(2)}×`);
}

try {
  if (!only || only === "one") await phase("one session, closed loop", { sessions: 1, connections: 1, messages: 5_000, prefix: "one-" });
  if (!only || only === "many") await phase("1,000 sessions over 100 connections", { sessions: 1000, connections: 100, messages: many, prefix: "many-" });
  if (!only || only === "length") {
    const { lengthPhase } = await import("./oop/session-length.ts");
    await lengthPhase(gw, wsUrl);
  }
} finally {
  await gw.stop();
  await provider.stop();
}
