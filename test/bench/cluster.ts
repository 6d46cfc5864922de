/**
 * The cluster benchmark (issue 16; prints figures, never pass/fail; `npm run bench:cluster`): msg/s and
 * p50/p99 (send → final) for 1, 2 and 3 compiled gateways on one PostgreSQL, against the SQLite
 * default on one node, all in one run on the same machine. The shape of throughput.ts: each gateway its
 * own process (`dist/openclaw gateway run`), the Anthropic load fake over HTTP in another
 * (test/fakes/anthropic-load.ts), the load generator in another (oop/drive-cluster.ts: connections
 * round-robin over the nodes, closed loop, every session one message outstanding), a real PostgreSQL
 * server (test/support/postgres.ts, unix socket, fsync ON: durable, unlike the tests).
 *
 *   sqlite, 1 node            the baseline: the embedded default
 *   postgres, 1 / 2 / 3 nodes sessions stick to a connection (its node), as behind a load balancer
 *   postgres, 3 nodes, hop    each next message of a session through the next node: the session lease
 *                             moves at every turn and the other nodes' subscribers get the fan-out
 *
 * Env: BENCH_MESSAGES (per phase, default 4,000), BENCH_SESSIONS (default 200), BENCH_CONNECTIONS (30).
 * Prints the core count: every process here shares them, so more nodes on one machine add CPU demand,
 * not CPU — what this measures is the cost of the cluster machinery, not the scaling of real hardware.
 */
import { readdirSync, readFileSync } from "node:fs";
import { startPostgres } from "../support/postgres.ts";
import { driveClusterInChild } from "./oop/drive-cluster.ts";
import type { DriveResult } from "./oop/drive.ts";
import { BENCH_TOKEN, cpuMsOf, rssOf, startBinary, startProvider, type BinaryGateway } from "./oop/gateway-proc.ts";

const messages = Number(process.env.BENCH_MESSAGES ?? 4_000);
const sessions = Number(process.env.BENCH_SESSIONS ?? 200);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 30);

const fmt = (r: DriveResult) =>
  `${r.rate.toFixed(0).padStart(6)} msg/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms   (${r.messages} msgs in ${r.seconds.toFixed(1)} s)`;

/** CPU ms of the PostgreSQL server: the postmaster and every child (backends, writer, WAL). */
function pgCpuMs(dataDir: string): number {
  let pid: number;
  try {
    pid = Number(readFileSync(`${dataDir}/postmaster.pid`, "utf8").split("\n")[0]);
  } catch {
    return NaN;
  }
  let total = cpuMsOf(pid);
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) total += cpuMsOf(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

const provider = await startProvider();
const pg = startPostgres({ durable: true }); // fsync on, as a real server
console.log(`cluster bench: dist/openclaw, ${navigator.hardwareConcurrency} cores shared by every process (gateways, PostgreSQL, fake provider, driver)`);
console.log(`load per phase: ${messages} messages, ${sessions} sessions over ${connections} connections, closed loop`);

let phaseNo = 0;
async function phase(name: string, o: { nodes: number; driver: "sqlite" | "postgres"; hop?: boolean }): Promise<DriveResult> {
  const schema = `bench${++phaseNo}`;
  const storage = o.driver === "postgres" ? { storage: { driver: "postgres", url: pg.url, schema } } : {};
  const nodes: BinaryGateway[] = [];
  try {
    for (let i = 0; i < o.nodes; i++) nodes.push(await startBinary(provider.url, { config: storage }));
    const urls = nodes.map((n) => `ws://127.0.0.1:${n.port}/ws`);
    const base = { urls, token: BENCH_TOKEN, sessions, connections, maxSeconds: 120, ...(o.hop ? { hop: true } : {}) };
    await driveClusterInChild({ ...base, messages: Math.min(500, messages), prefix: "warm-" });
    const cpu0 = nodes.map((n) => cpuMsOf(n.pid));
    const pg0 = pgCpuMs(`${pg.dir}/data`);
    const r = await driveClusterInChild({ ...base, messages, prefix: "s-" });
    const gwCpu = nodes.reduce((sum, n, i) => sum + cpuMsOf(n.pid) - cpu0[i]!, 0) / r.messages;
    const pgCpu = (pgCpuMs(`${pg.dir}/data`) - pg0) / r.messages;
    const rss = nodes.map((n) => (rssOf(n.pid) / 2 ** 20).toFixed(0)).join("/");
    console.log(`  ${name.padEnd(26)} ${fmt(r)}   cpu/msg: gateways ${(gwCpu * 1000).toFixed(0)} µs, postgres ${o.driver === "postgres" ? `${(pgCpu * 1000).toFixed(0)} µs` : "-"}   rss ${rss} MiB`);
    return r;
  } finally {
    for (const n of nodes) await n.stop();
  }
}

try {
  const base = await phase("sqlite, 1 node (baseline)", { nodes: 1, driver: "sqlite" });
  const results: Array<[string, DriveResult]> = [];
  for (const n of [1, 2, 3]) results.push([`postgres, ${n} node${n > 1 ? "s" : ""}`, await phase(`postgres, ${n} node${n > 1 ? "s" : ""}`, { nodes: n, driver: "postgres" })]);
  results.push(["postgres, 3 nodes, hop", await phase("postgres, 3 nodes, hop", { nodes: 3, driver: "postgres", hop: true })]);
  console.log("\n  relative to sqlite, 1 node:");
  for (const [name, r] of results) console.log(`    ${name.padEnd(26)} rate ${(r.rate / base.rate).toFixed(2)}×   p50 ${(r.p50 / base.p50).toFixed(2)}×   p99 ${(r.p99 / base.p99).toFixed(2)}×`);
} finally {
  pg.stop();
  await provider.stop();
}
