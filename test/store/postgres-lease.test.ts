// PgCluster on a real PostgreSQL: several cluster instances (as several gateway nodes) on one database.
// Session leases are exclusive, waiters wake on the release's NOTIFY and on the holder's expiry, runs
// go in user_seq order, orphans are marked exactly once, the leader moves, a lost heart-beat loses leases.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { configureLogging } from "../../src/core/log.ts";
import { clusterStatus } from "../../src/gateway/rpc/methods/cluster-status.ts";
import { PgCluster, type PgClusterOptions } from "../../src/store/postgres/cluster.ts";
import { openPgStore, type PgStore } from "../../src/store/postgres/store.ts";
import type { UnfinishedRun } from "../../src/store/types.ts";
import { type PgServer, startPostgres } from "../support/postgres.ts";
import { userMsg } from "./contract.ts";

configureLogging({ level: "silent" });
let pg: PgServer;
beforeAll(() => {
  pg = startPostgres();
});
afterAll(() => pg?.stop());

let schemaNo = 0;
const open: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const o of open.splice(0)) await o.close().catch(() => {});
});

async function setup(n: number, o: Partial<PgClusterOptions> = {}) {
  const schema = `lease_${++schemaNo}`;
  const store = await openPgStore({ url: pg.url, schema, max: 4 }); // applies the migrations
  open.push(store);
  const nodes: PgCluster[] = [];
  for (let i = 0; i < n; i++) {
    const c = new PgCluster({ url: pg.url, schema, nodeId: `node${i}`, leaseTtlMs: 1500, heartbeatMs: 250, ...o });
    await c.start();
    open.push(c);
    nodes.push(c);
  }
  return { schema, store, nodes };
}

async function storeFor(schema: string, nodeId: string): Promise<PgStore> {
  const s = await openPgStore({ url: pg.url, schema, nodeId, max: 2 });
  open.push(s);
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await sleep(20);
  }
}

describe("PgCluster session leases", () => {
  test("a session lease is held by one node at a time across three nodes", async () => {
    const { nodes } = await setup(3);
    const intervals: { node: number; from: number; to: number }[] = [];
    let holders = 0;
    let maxHolders = 0;
    await Promise.all(
      nodes.flatMap((c, i) =>
        [0, 1, 2].map(async () => {
          const lease = await c.acquireRun("agent:main:s", 1);
          holders++;
          maxHolders = Math.max(maxHolders, holders);
          const from = performance.now();
          await sleep(15);
          holders--;
          intervals.push({ node: i, from, to: performance.now() });
          await lease.release();
        }),
      ),
    );
    expect(maxHolders).toBe(1);
    expect(intervals).toHaveLength(9);
    expect(new Set(intervals.map((x) => x.node)).size).toBe(3);
    // other sessions are independent: two nodes hold two sessions at once
    const a = await nodes[0]!.acquireRun("agent:main:x", 1);
    const b = await nodes[1]!.acquireRun("agent:main:y", 1);
    const d = await nodes[2]!.describe();
    expect(d.leases.map((l) => [l.name, l.node])).toEqual([["session:agent:main:x", "node0"], ["session:agent:main:y", "node1"]]);
    expect(d.nodes.filter((n) => n.alive).map((n) => n.id).sort()).toEqual(["node0", "node1", "node2"]);
    await a.release();
    await b.release();
  });

  test("a waiter proceeds at once on the release's NOTIFY (its poll interval is far longer than the test)", async () => {
    const { nodes } = await setup(2, { heartbeatMs: 59_000, leaseTtlMs: 60_000 });
    const held = await nodes[0]!.acquireRun("agent:main:n", 1);
    let got = false;
    const waiting = nodes[1]!.acquireRun("agent:main:n", 1).then((l) => {
      got = true;
      return l;
    });
    await sleep(300);
    expect(got).toBe(false);
    await held.release();
    const lease = await waiting; // would take 59 s without the NOTIFY: beyond the test timeout
    expect(got).toBe(true);
    expect((await nodes[0]!.describe()).leases).toEqual([{ name: "session:agent:main:n", node: "node1" }]);
    await lease.release();
  });

  test("a waiter takes the lease when its holder stops heart-beating (closed without release)", async () => {
    const { nodes } = await setup(2);
    await nodes[0]!.acquireRun("agent:main:e", 1);
    let got = false;
    const waiting = nodes[1]!.acquireRun("agent:main:e", 1).then((l) => ((got = true), l));
    await sleep(400);
    expect(got).toBe(false); // node0 is alive: its lease holds
    await nodes[0]!.halt(); // like kill -9: no release, the node row stays, the heart-beat stops
    const lease = await waiting;
    const d = await nodes[1]!.describe();
    expect(d.nodes.find((n) => n.id === "node0")!.alive).toBe(false);
    expect(d.leases).toEqual([{ name: "session:agent:main:e", node: "node1" }]);
    await lease.release();
  });

  test("aborting a waiter rejects with the reason and leaves no lease behind", async () => {
    const { nodes } = await setup(2);
    const held = await nodes[0]!.acquireRun("agent:main:a", 1);
    const ac = new AbortController();
    const waiting = nodes[1]!.acquireRun("agent:main:a", 1, ac.signal);
    await sleep(100);
    ac.abort(new Error("user abort"));
    expect(waiting).rejects.toThrow("user abort");
    await held.release();
    expect((await nodes[0]!.describe()).leases).toEqual([]);
  });

  test("runs of one session get the lease in user_seq order, whichever node asks first", async () => {
    const { schema, nodes } = await setup(3);
    const stores = await Promise.all(nodes.map((c) => storeFor(schema, c.nodeId)));
    const key = "agent:main:order";
    // three runs admitted on three nodes: seqs 1, 2, 3
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) seqs.push((await stores[i]!.append(key, { data: userMsg(`r${i}`) })).seq);
    expect(seqs).toEqual([1, 2, 3]);
    const order: number[] = [];
    const run = async (i: number, delay: number) => {
      await sleep(delay);
      const lease = await nodes[i]!.acquireRun(key, seqs[i]!);
      order.push(seqs[i]!);
      await sleep(20);
      await stores[i]!.append(key, { data: { type: "run_finished", runId: `r${i}`, outcome: "ok", cause: "completed", durationMs: 20 } });
      await lease.release();
    };
    // the latest run asks first, the earliest last
    await Promise.all([run(2, 0), run(1, 50), run(0, 150)]);
    expect(order).toEqual([1, 2, 3]);
    const rows = await stores[0]!.listUnfinishedRuns();
    expect(rows).toEqual([]);
  });

  test("PgStore records the node and the user seq of each run", async () => {
    const { schema } = await setup(0);
    const s = await storeFor(schema, "nodeX");
    await s.append("agent:main:r", { data: userMsg("run_a") });
    await s.append("agent:main:r", { data: userMsg("run_b") });
    const { SQL } = await import("bun");
    const sql = new SQL(pg.url);
    const rows = await sql.unsafe(`SELECT run_id, node_id, user_seq::int AS user_seq FROM "${schema}".runs ORDER BY user_seq`);
    await sql.close();
    expect(rows.map((r: Record<string, unknown>) => ({ ...r }))).toEqual([
      { run_id: "run_a", node_id: "nodeX", user_seq: 1 },
      { run_id: "run_b", node_id: "nodeX", user_seq: 2 },
    ]);
  });
});

describe("PgCluster orphan sweep", () => {
  test("three nodes sweeping at once mark each orphan exactly once; live nodes' runs are left alone", async () => {
    const { schema, nodes } = await setup(3);
    const dead = await storeFor(schema, "dead-node"); // never registered: its runs are orphans
    const live = await storeFor(schema, "node0");
    for (let s = 0; s < 5; s++) {
      for (let r = 0; r < 3; r++) await dead.append(`agent:main:s${s}`, { data: userMsg(`dead_${s}_${r}`) });
    }
    await live.append("agent:main:live", { data: userMsg("live_run") });
    const stores = await Promise.all(nodes.map((c) => storeFor(schema, c.nodeId)));
    const marked: string[] = [];
    const results = await Promise.all(
      nodes.map((c, i) =>
        c.sweepOrphans(async (u: UnfinishedRun) => {
          marked.push(u.runId);
          await sleep(5); // widen the race window
          await stores[i]!.append(u.sessionKey, { data: { type: "run_finished", runId: u.runId, outcome: "interrupted", cause: "interrupted", durationMs: 0 } });
          return true;
        }),
      ),
    );
    expect(marked.sort()).toEqual(Array.from({ length: 15 }, (_, k) => `dead_${Math.floor(k / 3)}_${k % 3}`).sort());
    expect(results.flat()).toHaveLength(15);
    expect((await live.listUnfinishedRuns()).map((u) => u.runId)).toEqual(["live_run"]);
    // every session's log has exactly one run_finished per orphan
    for (let s = 0; s < 5; s++) {
      const fin = (await live.readRange(`agent:main:s${s}`, 1)).filter((e) => e.type === "run_finished");
      expect(fin).toHaveLength(3);
    }
    // a second sweep finds nothing
    expect(await nodes[1]!.sweepOrphans(async () => true)).toEqual([]);
  });

  test("a node that dies mid-run: its run becomes an orphan once its heart-beat is older than the TTL", async () => {
    const { schema, nodes } = await setup(2);
    const s0 = await storeFor(schema, "node0");
    await s0.append("agent:main:k", { data: userMsg("run_k") });
    const lease = await nodes[0]!.acquireRun("agent:main:k", 1);
    expect(lease.lost.aborted).toBe(false);
    expect(await nodes[1]!.sweepOrphans(async () => true)).toEqual([]); // node0 alive
    await nodes[0]!.halt();
    const s1 = await storeFor(schema, "node1");
    let swept: UnfinishedRun[] = [];
    await until(async () => {
      swept = await nodes[1]!.sweepOrphans(async (u) => {
        await s1.append(u.sessionKey, { data: { type: "run_finished", runId: u.runId, outcome: "interrupted", cause: "interrupted", durationMs: 0 } });
        return true;
      });
      return swept.length > 0;
    });
    expect(swept.map((u) => u.runId)).toEqual(["run_k"]);
    // the next run of the session (seq 3: user message 1, run_finished 2) is not blocked any more
    const next = await nodes[1]!.acquireRun("agent:main:k", 3);
    await next.release();
  });

  test("this node's own runs are handed over only when older than the TTL (a run whose last write failed)", async () => {
    const { schema, nodes } = await setup(1);
    const old = await openPgStore({ url: pg.url, schema, nodeId: "node0", max: 2, clock: () => Date.now() - 60_000 });
    open.push(old);
    const fresh = await storeFor(schema, "node0");
    await old.append("agent:main:leak", { data: userMsg("leaked_run") });
    await fresh.append("agent:main:live2", { data: userMsg("fresh_run") });
    const offered: string[] = [];
    await nodes[0]!.sweepOrphans(async (u) => {
      offered.push(u.runId);
      return false; // the runtime says "live here": nothing marked
    });
    expect(offered).toEqual(["leaked_run"]);
  });
});

describe("the channel inbox on several nodes", () => {
  test("a node lists its own pending updates; a dead node's are claimed by exactly one other node", async () => {
    const { schema, nodes } = await setup(3);
    const [sa, sb, sc] = await Promise.all(nodes.map((c) => openPgStore({ url: pg.url, schema, nodeId: c.nodeId, leaseTtlMs: 1500, max: 2 })));
    open.push(sa!, sb!, sc!);
    expect(await sa!.inboxPut("telegram", "u1", { update_id: 1 })).toBe(true);
    expect(await sa!.inboxPut("telegram", "u2", { update_id: 2 })).toBe(true);
    expect((await sa!.inboxPending("telegram")).map((p) => p.updateId)).toEqual(["u1", "u2"]);
    expect(await sb!.inboxPending("telegram")).toEqual([]); // node0 is alive: its updates in flight stay its own
    await sa!.inboxDone("telegram", "u1");
    await nodes[0]!.halt(); // node0 dies with u2 pending
    let got: string[][] = [];
    await until(async () => {
      got = await Promise.all([sb!.inboxPending("telegram"), sc!.inboxPending("telegram")]).then((r) => r.map((x) => x.map((p) => p.updateId)));
      return got.flat().length > 0;
    });
    expect(got.flat()).toEqual(["u2"]); // claimed by one of them only
    const owner = got[0]!.length ? sb! : sc!;
    const otherStore = owner === sb ? sc! : sb!;
    expect((await owner.inboxPending("telegram")).map((p) => p.updateId)).toEqual(["u2"]);
    expect(await otherStore.inboxPending("telegram")).toEqual([]);
  });
});

describe("PgCluster leader lease", () => {
  test("exactly one leader; it moves when the leader dies, and at once when it stops cleanly", async () => {
    const { nodes } = await setup(3);
    const state = [false, false, false];
    const stops = nodes.map((c, i) => c.leader("telegram-poller", (l) => (state[i] = l)));
    await until(() => state.filter(Boolean).length === 1);
    await sleep(600); // a few heart-beats: still exactly one
    expect(state.filter(Boolean)).toHaveLength(1);
    const first = state.indexOf(true);
    await nodes[first]!.halt(); // dies without releasing
    state[first] = false;
    await until(() => state.filter(Boolean).length === 1);
    const second = state.indexOf(true);
    expect(second).not.toBe(first);
    const d = await nodes[second]!.describe();
    expect(d.leases).toEqual([{ name: "leader:telegram-poller", node: `node${second}` }]);
    await stops[second]!(); // stepping down releases and notifies
    expect(state[second]).toBe(false);
    const third = [0, 1, 2].find((i) => i !== first && i !== second)!;
    await until(() => state[third] === true);
  });
});

describe("PgCluster without its database", () => {
  test("a heart-beat not written for longer than the TTL loses the leases; they are taken again after", async () => {
    const { nodes } = await setup(2);
    const c = nodes[0]!;
    let leader = false;
    const changes: boolean[] = [];
    c.leader("telegram-poller", (l) => {
      leader = l;
      changes.push(l);
    });
    await until(() => leader);
    const lease = await c.acquireRun("agent:main:db", 1);
    pg.halt("fast");
    try {
      await until(() => lease.lost.aborted && !leader);
      expect(String(lease.lost.reason)).toContain("storage.cluster.leaseTtlMs");
    } finally {
      pg.restart();
    }
    await until(() => leader); // heart-beats again: leadership comes back
    expect(changes).toEqual([true, false, true]);
    await lease.release(); // lost already: a no-op
    // node0 is alive again, but the lease row it lost is not left behind to block the others
    const other = await nodes[1]!.acquireRun("agent:main:db", 1);
    await other.release();
    const again = await c.acquireRun("agent:main:db", 1);
    await again.release();
  }, 60_000);
});

describe("the gateway status method's cluster part", () => {
  test("node id, nodes alive, leases held here and leader roles; a cluster that cannot ask the database says why", async () => {
    const { nodes } = await setup(2);
    let leader = false;
    const stop = nodes[0]!.leader("telegram-poller", (l) => (leader = l));
    await until(() => leader);
    const lease = await nodes[0]!.acquireRun("agent:main:st", 1);
    expect(await clusterStatus(nodes[0]!)).toEqual({ nodeId: "node0", multiNode: true, nodesAlive: 2, leasesHeld: 2, leader: ["telegram-poller"] });
    expect(await clusterStatus(nodes[1]!)).toEqual({ nodeId: "node1", multiNode: true, nodesAlive: 2, leasesHeld: 0, leader: [] });
    await lease.release();
    await stop();
    await nodes[1]!.close();
    const closed = await clusterStatus(nodes[1]!);
    expect(closed.error).toContain("closed");
  });
});
