// e2e, issue 16: three compiled gateways on one PostgreSQL (cluster-rig.ts). One run per session
// cluster-wide and in order when messages for one session arrive through different nodes; fan-out of
// a run's chat.events to a client on another node (a payload past the NOTIFY limit whole); kill -9 of
// the node holding a run (interrupted exactly once, the client on a surviving node told, other
// sessions unaffected, nothing acknowledged lost); a reconnecting client resumes without gaps.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { callSafe, chatEvents, finalOf, send } from "./cluster-client.ts";
import { echoOf, overlaps } from "./cluster-fake.ts";
import { checkLog, logFacts, startedWhileAnotherRuns, type Ack } from "./cluster-log.ts";
import { ClusterRig, DB_PASSWORD } from "./cluster-rig.ts";
import { rpc, waitUntil } from "./binary-gateway.ts";

setDefaultTimeout(120_000);
let rig: ClusterRig;
beforeAll(async () => {
  rig = await ClusterRig.start({ nodes: 3, leaseTtlMs: 2000, heartbeatMs: 500 });
}, 300_000);
afterAll(async () => {
  await rig?.stop();
});

/** The session a test text belongs to: texts are `<session>#<n> …`. */
const sessionOf = (text: string) => /^(\S+)#\d+/.exec(text)?.[1];

/** Waits until every acknowledged run of `acks` has its run_finished in the database. */
async function allFinished(acks: Ack[], timeoutMs = 60_000): Promise<Map<string, string[]>> {
  let open: string[] = [];
  return waitUntil(
    async () => {
      const f = await logFacts(rig.sql, rig.schema);
      open = acks.filter((a) => !f.finished.has(a.runId)).map((a) => `${a.runId} (${a.sessionKey} via ${a.node})`);
      return open.length === 0 ? f.finished : undefined;
    },
    () => `every acknowledged run to finish (${acks.length} runs; unfinished: ${open.join(", ")})`,
    timeoutMs,
  );
}

/** The log checks of cluster-log.ts on the sessions of `acks` (other tests' sessions are theirs). */
const check = (acks: Ack[], lenientRunStarted = false) =>
  checkLog(rig.sql, rig.schema, acks, { settled: true, lenientRunStarted, sessions: [...new Set(acks.map((a) => a.sessionKey))] });

async function concurrentOneSession(nodeCount: number, session: string, perNode: number): Promise<void> {
  const nodes = rig.nodes.slice(0, nodeCount);
  const clients = await Promise.all(nodes.map((n) => rig.connect(n)));
  const acks: Ack[] = [];
  // every node gets its messages at once, all nodes together: they race for the one session
  const outs = await Promise.all(
    nodes.flatMap((n, i) => Array.from({ length: perNode }, (_, k) => send(clients[i]!, n.name, session, `${session}#${i * perNode + k} from ${n.name} [slow=120]`, acks))),
  );
  for (const o of outs) expect(o).toMatchObject({ kind: "answer", result: { sessionKey: session, deduplicated: false } });
  const finished = await allFinished(acks);
  for (const a of acks) expect(finished.get(a.runId)).toEqual(["ok"]);

  // everything but the run_started rule first (asserted last, so a failure there still shows the rest)
  expect(await check(acks, true)).toEqual([]);
  const calls = rig.fake.calls.filter((c) => sessionOf(c.text) === session);
  expect(calls.length).toBe(acks.length);
  // the model requests of the session never overlapped, whichever node sent them
  expect(overlaps(calls, sessionOf).map(([a, b]) => `${a.node}:${a.text} overlaps ${b.node}:${b.text}`)).toEqual([]);
  // run order = user-message order, and each run saw every earlier turn, whichever node ran it
  const userOrder = (await rig.log(session)).filter((r) => r.type === "user_message").map((r) => r.data.message.content[0]?.text ?? r.data.message.content);
  const byStart = [...calls].sort((a, b) => a.start - b.start);
  expect(byStart.map((c) => c.text)).toEqual(userOrder);
  byStart.forEach((c, i) => {
    expect({ run: i, users: c.userTexts }).toEqual({ run: i, users: userOrder.slice(0, i + 1) });
    expect({ run: i, answers: c.assistantTexts }).toEqual({ run: i, answers: userOrder.slice(0, i).map(echoOf) });
  });
  // more than one node ran the session's turns (the runs were not all funnelled to one node)
  expect(new Set(calls.map((c) => c.node)).size).toBeGreaterThan(1);
  for (const c of clients) c.close();
  // the log never says a run started while another run of the session was running
  expect(startedWhileAnotherRuns(session, await rig.log(session))).toEqual([]);
}

test("two nodes: concurrent messages to one session run one at a time, in order", async () => {
  await concurrentOneSession(2, "agent:main:two", 3);
}, 120_000);

test("three nodes: concurrent messages to one session run one at a time, in order", async () => {
  await concurrentOneSession(3, "agent:main:three", 3);
}, 120_000);

test("fan-out: clients on nodes 1 and 3 get every chat.event of runs on node 2, in order, a large payload whole", async () => {
  const session = "agent:main:fan";
  const watchers = [await rig.connect(rig.node(0)), await rig.connect(rig.node(2))];
  for (const w of watchers) expect((await callSafe(w, "sessions.subscribe", { sessionKey: session })).kind).toBe("answer");
  const sender = await rig.connect(rig.node(1));
  const acks: Ack[] = [];
  const texts = [`${session}#0 short`, `${session}#1 [big=20000]`, `${session}#2 short again`, `${session}#3 [slow=200] last`];
  // sent together: they queue on node 2 and run in the order of their user messages' seqs (which
  // concurrent calls on one socket do not fix); the watchers must see that order
  const outs = await Promise.all(texts.map((t) => send(sender, "n2", session, t, acks)));
  for (const o of outs) expect(o.kind).toBe("answer");
  for (const a of acks) await finalOf(sender, a.runId);
  const local = chatEvents(sender, session);
  const inLog = (await rig.log(session)).filter((r) => r.type === "user_message").map((r) => r.data.runId as string);
  const textOf = new Map(acks.map((a) => [a.runId, a.text]));
  for (const w of watchers) {
    for (const a of acks) await finalOf(w, a.runId, 15_000);
    const seen = chatEvents(w, session);
    // the same events in the same order as the client on the node that ran them
    expect(seen.map((p) => [p.runId, p.event.type])).toEqual(local.map((p) => [p.runId, p.event.type]));
    expect(seen.map((p) => p.event)).toEqual(local.map((p) => p.event));
    const finals = seen.filter((p) => p.event.type === "final");
    expect(finals.map((p) => p.runId)).toEqual(inLog);
    expect(finals.map((p) => p.event.outcome)).toEqual(["ok", "ok", "ok", "ok"]);
    expect(finals.map((p) => p.event.text)).toEqual(inLog.map((r) => echoOf(textOf.get(r)!)));
    expect(finals.find((p) => p.event.text.includes("[big=20000]")).event.text.length).toBeGreaterThan(20000);
  }
  expect(await check(acks)).toEqual([]);
}, 120_000);

test("kill -9 of the node holding a run: interrupted exactly once, the client on a survivor told, other sessions unaffected", async () => {
  const held = "agent:main:held";
  const other = "agent:main:other";
  const victim = rig.node(1);
  const watcher = await rig.connect(rig.node(0));
  expect((await callSafe(watcher, "sessions.subscribe", { sessionKey: held })).kind).toBe("answer");
  const onVictim = await rig.connect(victim);
  const onSurvivor = await rig.connect(rig.node(2));
  const acks: Ack[] = [];
  const h = await send(onVictim, victim.name, held, `${held}#0 [hold]`, acks);
  expect(h.kind).toBe("answer");
  const runId = acks[0]!.runId;
  // the run is in flight on the victim: its model request is open and a delta reached the watcher
  await waitUntil(async () => rig.fake.calls.find((c) => c.text.startsWith(`${held}#0`) && c.end === null && c.node === victim.name), "the held run's model request");
  await watcher.until(() => chatEvents(watcher, held).some((p) => p.runId === runId && p.event.type === "text_delta"), 15_000, "a delta of the held run on the watcher");
  // another session keeps going on a survivor while the victim dies
  const o = await send(onSurvivor, "n3", other, `${other}#0 [slow=1500]`, acks);
  expect(o.kind).toBe("answer");

  // status on the victim names it, sees three nodes and the session lease it holds
  const before = (await rpc(victim.gw!, "status")).result.cluster;
  expect(before).toMatchObject({ multiNode: true, nodesAlive: 3 });
  expect(before.leasesHeld).toBeGreaterThanOrEqual(1);
  await rig.kill(victim);
  const final = await finalOf(watcher, runId, 30_000, "the held run, on the watcher").catch(async (e) => {
    console.log(JSON.stringify((await rig.log(held)).map((r) => [r.seq, r.type, r.data.runId, r.data.outcome])), JSON.stringify(await rig.sql.unsafe("select * from cluster.runs")), JSON.stringify(await rig.sql.unsafe("select * from cluster.leases")), JSON.stringify(await rig.sql.unsafe("select * from cluster.nodes")));
    console.log(rig.node(0).stderr(), rig.node(2).stderr());
    throw e;
  });
  expect(final.outcome).toBe("interrupted");
  expect((await finalOf(onSurvivor, acks[1]!.runId, 30_000, "the other session, on a survivor")).outcome).toBe("ok");

  const finished = await allFinished(acks);
  expect(finished.get(runId)).toEqual(["interrupted"]);
  expect(finished.get(acks[1]!.runId)).toEqual(["ok"]);
  expect(await check(acks)).toEqual([]);

  // the session is free again: the next message runs (on a survivor) and sees the interrupted turn
  const next = await send(onSurvivor, "n3", held, `${held}#1 after the kill`, acks);
  expect(next.kind).toBe("answer");
  expect((await finalOf(onSurvivor, acks.at(-1)!.runId, 30_000, "the next message of the session, on a survivor").catch(async (e) => {
    console.log(JSON.stringify((await rig.log(held)).map((r) => [r.seq, r.type, r.data.runId, r.data.outcome])), JSON.stringify(await rig.sql.unsafe("select * from cluster.runs")), JSON.stringify(await rig.sql.unsafe("select * from cluster.leases")), JSON.stringify(await rig.sql.unsafe("select * from cluster.nodes")));
    console.log(rig.node(0).stderr(), rig.node(2).stderr(), JSON.stringify(rig.fake.calls.filter((c) => c.text.includes("held"))));
    throw e;
  })).outcome).toBe("ok");

  // once its heart-beat is older than the TTL a survivor counts two nodes alive
  await waitUntil(async () => ((await rpc(rig.node(0).gw!, "status")).result.cluster?.nodesAlive === 2 ? true : undefined), "status on a survivor to count 2 nodes alive");
  await rig.restart(victim);
  // a restarted node does not mark it interrupted a second time
  const again = await logFacts(rig.sql, rig.schema);
  expect(again.finished.get(runId)).toEqual(["interrupted"]);
  expect(victim.stderr()).not.toContain(DB_PASSWORD);
}, 120_000);

test("a reconnecting client resumes the history from a seq without gaps, on another node", async () => {
  const session = "agent:main:resume";
  const a = await rig.connect(rig.node(0));
  const acks: Ack[] = [];
  for (let i = 0; i < 3; i++) {
    expect((await send(a, "n1", session, `${session}#${i} first part`, acks)).kind).toBe("answer");
    await finalOf(a, acks.at(-1)!.runId);
  }
  const first = (await callSafe(a, "chat.history", { sessionKey: session, limit: 500 })) as { kind: "answer"; result: { entries: Array<{ seq: number }> } };
  const seenUpTo = first.result.entries.at(-1)!.seq;
  a.close();
  // meanwhile more turns through another node
  const b = await rig.connect(rig.node(2));
  for (let i = 3; i < 6; i++) {
    expect((await send(b, "n3", session, `${session}#${i} while away`, acks)).kind).toBe("answer");
    await finalOf(b, acks.at(-1)!.runId);
  }
  // the resume protocol (docs/cluster.md): subscribe first, then the history after the last seq seen
  const c = await rig.connect(rig.node(1));
  expect((await callSafe(c, "sessions.subscribe", { sessionKey: session })).kind).toBe("answer");
  // forward from the last seq seen, in pages of 5 (`after`, then `nextAfter`), from a node that never saw the session
  const after: number[] = [];
  for (let cursor: number | undefined = seenUpTo; cursor !== undefined; ) {
    const page = (await callSafe(c, "chat.history", { sessionKey: session, after: cursor, limit: 5 })) as { kind: "answer"; result: { entries: Array<{ seq: number }>; nextAfter?: number } };
    expect(page.kind).toBe("answer");
    after.push(...page.result.entries.map((e) => e.seq));
    cursor = page.result.nextAfter;
  }
  const log = await rig.log(session);
  expect(after).toEqual(log.filter((r) => r.seq > seenUpTo).map((r) => r.seq));
  expect(after.length).toBeGreaterThan(5); // more than one page
  expect([...first.result.entries.map((e) => e.seq), ...after]).toEqual(log.map((_, i) => i + 1));
  // and from then on it streams live what another node runs
  expect((await send(b, "n3", session, `${session}#6 live again`, acks)).kind).toBe("answer");
  const live = await finalOf(c, acks.at(-1)!.runId, 15_000);
  expect(live).toMatchObject({ outcome: "ok", text: echoOf(`${session}#6 live again`) });
  expect(await check(acks)).toEqual([]);
}, 120_000);

test("a retried chat.send with the same idempotencyKey through another node runs once", async () => {
  const session = "agent:main:idem";
  const [a, b] = [await rig.connect(rig.node(0)), await rig.connect(rig.node(2))];
  const params = { sessionKey: session, text: `${session}#0 [slow=300] sent twice`, idempotencyKey: "idem-cluster-1" };
  // at once through two nodes (a client that timed out and retried through the balancer)
  const [x, y] = await Promise.all([callSafe(a, "chat.send", params), callSafe(b, "chat.send", params)]);
  expect(x.kind === "answer" && y.kind === "answer").toBe(true);
  const results = [x, y].map((o) => (o as { result: { runId: string; deduplicated: boolean } }).result);
  expect(results[0]!.runId).toBe(results[1]!.runId);
  expect(results.map((r) => r.deduplicated).sort()).toEqual([false, true]);
  const acks: Ack[] = [{ sessionKey: session, runId: results[0]!.runId, text: params.text, node: "n1" }];
  expect((await allFinished(acks)).get(results[0]!.runId)).toEqual(["ok"]);
  const log = await rig.log(session);
  expect(log.filter((r) => r.type === "user_message")).toHaveLength(1);
  expect(rig.fake.calls.filter((c) => c.text === params.text)).toHaveLength(1);
  expect(await check(acks)).toEqual([]);
}, 120_000);
