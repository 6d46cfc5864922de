// SingleNodeCluster: one node alone on its store (SQLite, memory): leases at once, always leader,
// recovery = every unfinished run in the store is handed to the marker.
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SingleNodeCluster } from "../../src/store/cluster.ts";
import { openStore } from "../../src/store/sqlite.ts";
import { userMsg } from "./contract.ts";

test("one node: a lease at once (never lost), always leader, every unfinished run offered to the marker", async () => {
  const store = await openStore(join(mkdtempSync(join(tmpdir(), "single-cluster-")), "openclaw.db"));
  const c = new SingleNodeCluster(store);
  expect(c.multiNode).toBe(false);
  expect(c.nodeId).toMatch(/^.+-\d+-[a-z0-9]{6}$/);
  await c.start();
  const a = await c.acquireRun("agent:main:x", 1);
  const b = await c.acquireRun("agent:main:x", 2); // the runtime's lanes order one session's runs; the lease never waits
  expect(a.lost.aborted).toBe(false);
  await a.release();
  await b.release();
  const ac = new AbortController();
  ac.abort(new Error("gone"));
  expect(c.acquireRun("agent:main:x", 3, ac.signal)).rejects.toThrow("gone");
  const changes: boolean[] = [];
  const stop = c.leader("telegram-poller", (l) => changes.push(l));
  await Promise.resolve();
  expect(changes).toEqual([true]);
  await store.append("agent:main:x", { data: userMsg("run_1") });
  await store.append("agent:main:y", { data: userMsg("run_2") });
  const offered: string[] = [];
  const marked = await c.sweepOrphans(async (u) => {
    offered.push(u.runId);
    return u.runId === "run_1"; // run_2 "live here": not marked
  });
  expect(offered.sort()).toEqual(["run_1", "run_2"]);
  expect(marked.map((u) => u.runId)).toEqual(["run_1"]);
  const d = await c.describe();
  expect(d).toMatchObject({ driver: "sqlite", nodeId: c.nodeId, leases: [{ name: "leader:telegram-poller", node: c.nodeId }] });
  expect(d.nodes).toHaveLength(1);
  await stop();
  expect((await c.describe()).leases).toEqual([]);
  await c.close();
  await store.close();
});
