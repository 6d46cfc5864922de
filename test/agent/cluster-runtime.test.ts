// Two AgentRuntimes (two "nodes": a PgStore + PgCluster each) on one real PostgreSQL database.
// Messages to one session through both never overlap at the provider and run in user-message order;
// each run sees the other node's earlier turns; an abort while waiting for the lease ends the run;
// a dead node's run is marked interrupted once, and the surviving node's listeners get its final.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AgentRuntime } from "../../src/agent/runtime.ts";
import type { AgentEvent } from "../../src/agent/types.ts";
import { unavailableExecutor } from "../../src/agent/tool-executor.ts";
import type { Message } from "../../src/core/messages.ts";
import { PgCluster } from "../../src/store/postgres/cluster.ts";
import { openPgStore, type PgStore } from "../../src/store/postgres/store.ts";
import { ScriptedProvider, say } from "../fakes/scripted-provider.ts";
import { type PgServer, startPostgres } from "../support/postgres.ts";
import "./helpers.ts"; // quiet logs
import { configureLogging } from "../../src/core/log.ts";
configureLogging({ level: "error" });

let pg: PgServer;
beforeAll(() => {
  pg = startPostgres();
});
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => {});
  pg?.stop();
});

let schemaNo = 0;
interface Node {
  runtime: AgentRuntime;
  store: PgStore;
  cluster: PgCluster;
}

async function nodes(n: number, provider: ScriptedProvider, maxConcurrent = 16): Promise<Node[]> {
  const schema = `rt_${++schemaNo}`;
  const out: Node[] = [];
  for (let i = 0; i < n; i++) {
    const nodeId = `${schema}-node${i}`;
    const store = await openPgStore({ url: pg.url, schema, nodeId, max: 4 });
    const cluster = new PgCluster({ url: pg.url, schema, nodeId, leaseTtlMs: 1500, heartbeatMs: 250 });
    await cluster.start();
    const runtime = new AgentRuntime(provider, { cluster, maxConcurrent }).withStore(store).withSandbox(unavailableExecutor({ level: "off" }, "no executor in this test"));
    closers.push(() => store.close(), () => cluster.close());
    out.push({ runtime, store, cluster });
  }
  return out;
}

const textOf = (m: Message | undefined): string => (m?.content ?? []).map((b) => (b.type === "text" ? b.text : "")).join("");

describe("AgentRuntime on two nodes of one PostgreSQL database", () => {
  test("concurrent messages to one session through both nodes never overlap and run in user-message order", async () => {
    const provider = new ScriptedProvider((req) => say.text(`re: ${textOf(req.messages[req.messages.length - 1])}`, { delayMs: 25 }));
    const [a, b] = await nodes(2, provider);
    const key = "agent:main:shared";
    const handles = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a! : b!).runtime.start({ sessionKey: key, text: `m${i}` })),
    );
    const results = await Promise.all(handles.map((h) => h.done));
    expect(results.map((r) => r.outcome)).toEqual(Array(8).fill("ok"));
    expect(provider.maxActive).toBe(1); // one run of the session at a time, cluster-wide
    // the provider saw the messages in the order of their user_message seqs
    const log = await a!.store.readRange(key, 1);
    const bySeq = log.filter((e) => e.data.type === "user_message").map((e) => textOf((e.data as { message: Message }).message));
    const served = provider.requests.map((r) => textOf(r.messages[r.messages.length - 1]));
    expect(served).toEqual(bySeq);
    // the log never shows two runs of the session started at once (run_started is stored under the lease)
    let open = 0;
    for (const e of log) {
      if (e.data.type === "run_started") open++;
      if (e.data.type === "run_finished") open--;
      expect(open).toBeLessThanOrEqual(1);
    }
    expect(open).toBe(0);
    // every request carried all earlier turns, whichever node ran them (history reloads others' appends)
    provider.requests.forEach((r, i) => {
      expect(r.messages).toHaveLength(2 * i + 1);
      for (let j = 0; j < i; j++) expect(textOf(r.messages[2 * j + 1])).toBe(`re: ${bySeq[j]}`);
    });
    // each run ran on the node that admitted it: runs finished, no lease left behind
    expect(await a!.store.listUnfinishedRuns()).toEqual([]);
    expect((await b!.cluster.describe()).leases).toEqual([]);
  });

  test("a run waiting for another node's run of its session is aborted cleanly", async () => {
    const provider = new ScriptedProvider((req) => (textOf(req.messages[req.messages.length - 1]) === "long" ? say.text("...", { hang: true }) : say.text("ok")));
    const [a, b] = await nodes(2, provider);
    const key = "agent:main:wait";
    const long = await a!.runtime.start({ sessionKey: key, text: "long" });
    while (provider.requests.length === 0) await Bun.sleep(10);
    const waiting = await b!.runtime.start({ sessionKey: key, text: "second" });
    await Bun.sleep(300);
    expect(provider.requests).toHaveLength(1); // still waiting behind node a's run
    expect(b!.runtime.abort({ runId: waiting.runId })).toBe(true);
    const r = await waiting.done;
    expect(r.outcome).toBe("aborted");
    const fin = (await b!.store.readRange(key, 1)).filter((e) => e.data.type === "run_finished" && e.data.runId === waiting.runId);
    expect(fin).toHaveLength(1);
    a!.runtime.abort({ runId: long.runId });
    expect((await long.done).outcome).toBe("aborted");
    expect(provider.requests).toHaveLength(1); // the aborted waiter never called the model
  });

  test("a run waiting for another node holds no permit: other sessions on its node go on (maxConcurrent 1)", async () => {
    const provider = new ScriptedProvider((req) => (textOf(req.messages[req.messages.length - 1]) === "long" ? say.text("...", { hang: true }) : say.text("ok")));
    const [a, b] = await nodes(2, provider, 1);
    const long = await b!.runtime.start({ sessionKey: "agent:main:busy", text: "long" });
    while (provider.requests.length === 0) await Bun.sleep(10);
    const waiting = await a!.runtime.start({ sessionKey: "agent:main:busy", text: "behind" }); // waits for node b's run
    await Bun.sleep(300);
    const other = await a!.runtime.start({ sessionKey: "agent:main:free", text: "other" });
    expect((await other.done).outcome).toBe("ok"); // would wait for node b's run if the waiter kept a's only permit
    expect(a!.runtime.runs().map((r) => [r.runId, r.state])).toEqual([[waiting.runId, "queued"]]);
    b!.runtime.abort({ runId: long.runId });
    expect((await long.done).outcome).toBe("aborted");
    expect((await waiting.done).outcome).toBe("ok");
  });

  test("a dead node's run is marked interrupted exactly once, listeners told, and the session goes on", async () => {
    const provider = new ScriptedProvider((req) => (textOf(req.messages[req.messages.length - 1]) === "doomed" ? say.text("...", { hang: true }) : say.text("fine")));
    const [a, b, c] = await nodes(3, provider);
    const key = "agent:main:crash";
    const doomed = await a!.runtime.start({ sessionKey: key, text: "doomed" });
    while (provider.requests.length === 0) await Bun.sleep(10);
    const next = await b!.runtime.start({ sessionKey: key, text: "after" }); // queued behind the doomed run
    const seen: AgentEvent[] = [];
    b!.runtime.onEvent((e) => e.type === "final" && seen.push(e));
    c!.runtime.onEvent((e) => e.type === "final" && seen.push(e));
    // "kill -9" node a: no heart-beat, no release, its store unusable
    await a!.cluster.halt();
    await a!.store.close();
    // both survivors sweep (as the gateway does every heart-beat) until the run is taken over
    const swept: string[] = [];
    while (!swept.includes(doomed.runId)) {
      const [x, y] = await Promise.all([b!.runtime.recoverInterrupted(), c!.runtime.recoverInterrupted()]);
      swept.push(...[...x, ...y].map((u) => u.runId));
      await Bun.sleep(50);
    }
    expect(swept).toEqual([doomed.runId]);
    const r = await next.done; // the queued message then runs on node b
    expect(r.outcome).toBe("ok");
    const log = await b!.store.readRange(key, 1);
    const finishes = log.filter((e) => e.data.type === "run_finished" && e.data.runId === doomed.runId);
    expect(finishes.map((e) => (e.data as { outcome: string }).outcome)).toEqual(["interrupted"]);
    const interrupted = seen.filter((e) => e.type === "final" && e.runId === doomed.runId);
    expect(interrupted).toHaveLength(1);
    expect(interrupted[0]).toMatchObject({ outcome: "interrupted", cause: "interrupted", sessionKey: key });
    // the run on b saw the doomed user message (node a's write) in its history, before its own
    const last = provider.requests[provider.requests.length - 1]!;
    expect(last.messages.map(textOf).join("|")).toMatch(/doomed.*after/);
    a!.runtime.abort({ runId: doomed.runId }); // the "dead" process's leftover (its store is closed: writes nothing)
    await doomed.done;
  });
});
