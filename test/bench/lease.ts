// Benchmark: what a session run lease costs on PostgreSQL (PgCluster), next to a bare round trip
// measured in the same run. 1) acquire+release of an uncontended lease (what every run pays with
// several nodes) vs `SELECT 1`; 2) three nodes handing one session's lease around (release →
// NOTIFY → the next waiter's acquire): hand-overs per second and the gap between holders.
// Prints median / p99 / RSS; not a pass/fail test.
// Run: node_modules/.bin/bun test/bench/lease.ts
import { SQL } from "bun";
import { availableParallelism } from "node:os";
import { configureLogging } from "../../src/core/log.ts";
import { PgCluster } from "../../src/store/postgres/cluster.ts";
import { openPgStore } from "../../src/store/postgres/store.ts";
import { startPostgres } from "../support/postgres.ts";
import { quantile, timeEach } from "./measure.ts";

configureLogging({ level: "error" });
const mib = () => (process.memoryUsage().rss / 2 ** 20).toFixed(0);
function line(name: string, times: number[]): void {
  times.sort((a, b) => a - b);
  const q = (p: number) => quantile(times, p);
  console.log(`${name.padEnd(58)} median ${(q(0.5) * 1000).toFixed(0).padStart(6)} µs   p99 ${(q(0.99) * 1000).toFixed(0).padStart(6)} µs   rss ${mib()} MiB`);
}

const pg = startPostgres();
try {
  console.log(`cores: ${availableParallelism()} · PostgreSQL on a unix socket, same machine`);
  const store = await openPgStore({ url: pg.url, schema: "bench" });
  await store.close();
  const nodes = await Promise.all([0, 1, 2].map(async (i) => {
    const c = new PgCluster({ url: pg.url, schema: "bench", nodeId: `bench${i}`, leaseTtlMs: 15_000, heartbeatMs: 5_000 });
    await c.start();
    return c;
  }));
  const sql = new SQL(pg.url, { max: 1 });
  line("baseline: SELECT 1 round trip", await timeEach(2000, () => sql`SELECT 1`));
  line("acquire + release, uncontended (one node, new session each)", await timeEach(2000, async (i) => (await nodes[0]!.acquireRun(`agent:main:s${i}`, 1)).release()));
  line("acquire + release, same session again (one node)", await timeEach(2000, async () => (await nodes[0]!.acquireRun("agent:main:same", 1)).release()));

  // three nodes contending for one session: each loops acquire → release; count hand-overs
  const gaps: number[] = [];
  let lastRelease = 0;
  let handovers = 0;
  const until = performance.now() + 3000;
  await Promise.all(nodes.map(async (c) => {
    while (performance.now() < until) {
      const l = await c.acquireRun("agent:main:hot", 1);
      if (lastRelease) gaps.push(performance.now() - lastRelease);
      handovers++;
      lastRelease = performance.now();
      await l.release();
    }
  }));
  line(`3 nodes on one session: gap between holders (${(handovers / 3).toFixed(0)}/s)`, gaps);
  await sql.close();
  for (const c of nodes) await c.close();
} finally {
  pg.stop();
}
