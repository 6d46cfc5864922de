// Benchmark: run events from one node to another through PgFanout on a real PostgreSQL (unix socket,
// fsync off: the harness's server). Measures events/s and publish→receive latency (one process, one
// clock) for delta-sized events across 50 sessions, offered as a burst and paced, and for
// 20 KB events (through the outbox). Baseline in the same run: one `SELECT pg_notify` per event,
// awaited in turn on one connection (the unbatched way). Prints figures; not a pass/fail test.
// Run: node_modules/.bin/bun test/bench/fanout.ts
import { SQL } from "bun";
import { configureLogging } from "../../src/core/log.ts";
import type { FanoutEvent } from "../../src/store/fanout.ts";
import { channelFor } from "../../src/store/postgres/fanout-envelope.ts";
import { openPgFanout } from "../../src/store/postgres/fanout.ts";
import { openPgStore } from "../../src/store/postgres/store.ts";
import { startPostgres } from "../support/postgres.ts";
import { quantile } from "./measure.ts";

configureLogging({ level: "error" });
const pg = startPostgres();
const mib = () => (process.memoryUsage().rss / 2 ** 20).toFixed(0);

function report(name: string, n: number, ms: number, lat: number[]): void {
  lat.sort((a, b) => a - b);
  const q = (p: number) => quantile(lat, p).toFixed(2).padStart(8);
  console.log(`${name.padEnd(50)} ${String(Math.round((n / ms) * 1000)).padStart(7)} ev/s   latency p50 ${q(0.5)} ms   p99 ${q(0.99)} ms   rss ${mib()} MiB`);
}

const delta = (i: number): FanoutEvent => ({ sessionKey: `agent:main:s${i % 50}`, type: "text_delta", runId: `run_${i % 50}`, text: "a few words of the reply ", t: performance.now() });

try {
  const store = await openPgStore({ url: pg.url, schema: "bench" });
  const a = await openPgFanout({ url: pg.url, schema: "bench", origin: "a" });
  const b = await openPgFanout({ url: pg.url, schema: "bench", origin: "b" });
  let lat: number[] = [];
  let got = 0;
  b.onRemote((e) => {
    lat.push(performance.now() - (e.t as number));
    got++;
  });
  const until = async (n: number) => {
    const deadline = Date.now() + 60_000;
    while (got < n && Date.now() < deadline) await Bun.sleep(1);
    if (got < n) console.log(`  (only ${got} of ${n} arrived within 60 s; sender ${JSON.stringify(a.stats())})`);
  };

  // baseline: unbatched, one NOTIFY per event, each awaited
  {
    const sql = new SQL(pg.url, { max: 1 });
    const ch = channelFor("bench");
    const n = 5000;
    lat = [];
    got = 0;
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      const ev = delta(i);
      await sql.unsafe("SELECT pg_notify($1, $2)", [ch, JSON.stringify({ o: "base", n: i + 1, s: ev.sessionKey, e: ev })]);
    }
    await until(n);
    report("baseline: one awaited pg_notify per event (5,000)", n, performance.now() - t, lat);
    await sql.close();
  }

  for (const n of [5000, 20_000]) {
    lat = [];
    got = 0;
    const t = performance.now();
    for (let i = 0; i < n; i++) a.publish(delta(i));
    await until(n);
    report(`PgFanout burst: ${n.toLocaleString("en")} deltas at once`, n, performance.now() - t, lat);
  }

  // paced: 2 events, then a 1 ms sleep (about 1,500-2,000 events/s offered, as live runs produce them)
  {
    lat = [];
    got = 0;
    const n = 6000;
    const t = performance.now();
    for (let i = 0; i < n; i += 2) {
      a.publish(delta(i));
      a.publish(delta(i + 1));
      await Bun.sleep(1);
    }
    await until(n);
    report("PgFanout paced: 2 deltas per 1 ms sleep", n, performance.now() - t, lat);
  }

  {
    lat = [];
    got = 0;
    const n = 500;
    const big = "x".repeat(20_000);
    const t = performance.now();
    for (let i = 0; i < n; i++) a.publish({ ...delta(i), text: big, t: performance.now() });
    await until(n);
    report("PgFanout burst: 500 events of 20 KB (outbox)", n, performance.now() - t, lat);
  }
  {
    lat = [];
    got = 0;
    const n = 400;
    const big = "x".repeat(20_000);
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      a.publish({ ...delta(i), text: big, t: performance.now() });
      await Bun.sleep(2);
    }
    await until(n);
    report("PgFanout paced: 20 KB events, one per 2 ms sleep", n, performance.now() - t, lat);
  }
  console.log("sender", JSON.stringify(a.stats()));
  console.log("receiver", JSON.stringify(b.stats()));
  await a.close();
  await b.close();
  await store.close();
} finally {
  pg.stop();
}
