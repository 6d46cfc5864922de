// e2e, issue 16: chaos on three compiled gateways over one PostgreSQL (cluster-rig.ts).
//   - 20 rounds of random kill -9 (one or two nodes) under a bounded load, the killed nodes restarted,
//     and after each round the acknowledged-events check (cluster-log.ts) on the whole log;
//   - the database restarted while the cluster is idle, and under load: clients get a typed storage
//     error while it is down (never the password), the logs name PostgreSQL and the fix, and every node
//     serves again once it is back — no gateway restarted.
// Every load is bounded by count (messages per node) and by time (each answer's timeout); nothing here
// measures speed. CLUSTER_CHAOS_SEED=<n> replays a run (the seed is printed).
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { waitUntil } from "./binary-gateway.ts";
import { callSafe, finalOf, send } from "./cluster-client.ts";
import { LoadRecord, prng, startLoad, type Shown } from "./cluster-load.ts";
import { checkLog, logFacts, startedWhileAnotherRuns, type Ack } from "./cluster-log.ts";
import { ClusterRig, DB_PASSWORD, type ClusterNode } from "./cluster-rig.ts";

setDefaultTimeout(240_000);
const seed = Number(process.env.CLUSTER_CHAOS_SEED ?? Date.now() % 1_000_000);
console.log(`cluster-chaos: seed ${seed} (CLUSTER_CHAOS_SEED=${seed} replays it)`);
const rand = prng(seed);
const SESSIONS = Array.from({ length: 6 }, (_, i) => `agent:main:chaos${i}`);
// the fixed, safe text a client gets while the database is unreachable (gateway/client-error.ts): the fix, no URL
const STORAGE_MESSAGE = "the database is unreachable: check that the server at storage.url is running and reachable (the gateway reconnects by itself; retry shortly)";

let rig: ClusterRig;
const acks: Ack[] = [];
beforeAll(async () => {
  rig = await ClusterRig.start({ nodes: 3, leaseTtlMs: 2000, heartbeatMs: 500 });
}, 300_000);
afterAll(async () => {
  await rig?.stop();
});

/** Waits until every user message in the log (of `sessions`) has finished and no run is left in `runs`. */
async function settle(sessions?: string[], timeoutMs = 30_000): Promise<void> {
  let open: string[] = [];
  await waitUntil(
    async () => {
      const f = await logFacts(rig.sql, rig.schema, sessions);
      open = [...f.userText.keys()].filter((r) => !f.finished.has(r));
      return open.length === 0 && f.unfinished.length === 0 ? true : undefined;
    },
    () => `the cluster to settle (runs still unfinished: ${open.join(", ")})`,
    timeoutMs,
  );
}

/** What each client was told of a run's end matches the log. */
async function finalsMatchLog(rec: LoadRecord): Promise<string[]> {
  const f = await logFacts(rig.sql, rig.schema);
  return rec.finals().flatMap((x) => {
    const logged = f.finished.get(x.runId);
    return logged?.length === 1 && logged[0] === x.outcome ? [] : [`${x.node} told ${x.runId} ended ${x.outcome}, the log says ${JSON.stringify(logged)}`];
  });
}

const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;

test("20 rounds of random kill -9 under load: after each, every acknowledged event is in the log, gap-free, each run finished once", async () => {
  for (let round = 1; round <= 20; round++) {
    const rec = new LoadRecord();
    const load = await startLoad(rig, rec, { perNode: 4, sessions: SESSIONS, slowMs: 400, rand, tag: `r${round}` });
    await Bun.sleep(Math.floor(rand() * 600));
    const alive = rig.alive();
    const victims: ClusterNode[] = [pick(alive)];
    if (alive.length === 3 && rand() < 0.25) victims.push(pick(alive.filter((n) => n !== victims[0])));
    for (const v of victims) await rig.kill(v);
    await load.done;
    // restarted before the check: a starting node must not mark live nodes' runs interrupted
    for (const v of victims) await rig.restart(v);
    await settle();
    // every sender on a node that lived through the round is told how each of its runs ended
    for (const { node, ws } of rec.clients.filter((c) => !victims.includes(c.node))) {
      for (const a of rec.acks.filter((x) => x.node === node.name)) await finalOf(ws, a.runId, 15_000, `round ${round}: ${a.text} via ${node.name}`);
    }
    acks.push(...rec.acks);
    // run_started logged while another run of the session is running (queued behind its lease) is
    // collected and asserted after the 20 rounds, so the rounds exercise everything else meanwhile
    const bad = [...(await checkLog(rig.sql, rig.schema, acks, { settled: true, lenientRunStarted: true })), ...(await finalsMatchLog(rec))];
    expect({ round, killed: victims.map((v) => v.name), bad }).toEqual({ round, killed: victims.map((v) => v.name), bad: [] });
    for (const e of [...rec.errors, ...rec.runErrors()]) expect(e.message).not.toContain(DB_PASSWORD);
    for (const c of rec.clients) c.ws.close();
  }
  expect(acks.length).toBeGreaterThan(100); // the load really ran: most sends of 20 rounds were acknowledged
}, 200_000);

async function readyz(node: ClusterNode): Promise<{ status: number; store: string }> {
  try {
    const res = await fetch(`${node.gw!.url}/readyz`);
    return { status: res.status, store: ((await res.json()) as { store: string }).store };
  } catch (err) {
    return { status: 0, store: String(err) };
  }
}

/** While the database is down: one chat.send per node gets the typed storage error, /readyz says 503. */
async function refusedWhileDown(tag: string): Promise<void> {
  for (const node of rig.alive()) {
    const ws = await rig.connect(node);
    const out = await callSafe(ws, "chat.send", { sessionKey: `agent:main:down-${tag}`, text: `down-${tag}#0 ${node.name}` }, 30_000);
    expect(out).toMatchObject({ kind: "answer", error: { code: -32040, message: STORAGE_MESSAGE, data: { type: "StorageUnavailableError" } } });
    expect(await readyz(node)).toEqual({ status: 503, store: STORAGE_MESSAGE });
    ws.close();
  }
}

/** Once it is back: every node (same process) is ready again and runs a turn. */
async function servesAgain(tag: string, pids: Map<string, number>): Promise<Ack[]> {
  const after: Ack[] = [];
  for (const node of rig.alive()) {
    await waitUntil(async () => ((await readyz(node)).status === 200 ? true : undefined), `${node.name} ready again after the database came back`, 30_000);
    expect(node.pid).toBe(pids.get(node.name)!); // not restarted
    const ws = await rig.connect(node);
    const out = await send(ws, node.name, `agent:main:back-${tag}`, `back-${tag}#0 ${node.name}`, after);
    expect(out).toMatchObject({ kind: "answer", result: { deduplicated: false } });
    expect((await finalOf(ws, after.at(-1)!.runId)).outcome).toBe("ok");
    ws.close();
  }
  return after;
}

/** The logs name PostgreSQL and the fix, and never the password. */
function logsExplain(nodes: ClusterNode[]): void {
  for (const node of nodes) {
    const err = node.stderr();
    expect(err).toContain("lost the connection to PostgreSQL");
    expect(err).toContain("check that the server at storage.url is running and reachable");
    expect(err).not.toContain(DB_PASSWORD);
  }
}

test("database restart while idle: clear errors while it is down, every node serves again without a restart", async () => {
  for (const n of rig.nodes) if (!n.alive) await rig.restart(n);
  const pids = new Map(rig.nodes.map((n) => [n.name, n.pid]));
  await rig.dropSql();
  rig.pg.halt("fast");
  try {
    await refusedWhileDown("idle");
  } finally {
    rig.pg.restart();
  }
  logsExplain(rig.nodes);
  const after = await servesAgain("idle", pids);
  const sessions = [...new Set(after.map((a) => a.sessionKey)), "agent:main:down-idle"];
  await settle(sessions);
  expect(await checkLog(rig.sql, rig.schema, after, { settled: true, sessions })).toEqual([]);
}, 120_000);

test("database restart under load: acknowledged events survive, clients get typed errors, recovery without a gateway restart", async () => {
  const pids = new Map(rig.nodes.map((n) => [n.name, n.pid]));
  const rec = new LoadRecord();
  const dbSessions = Array.from({ length: 6 }, (_, i) => `agent:main:db${i}`);
  const load = await startLoad(rig, rec, { perNode: 8, sessions: dbSessions, slowMs: 300, rand, tag: "db" });
  await Bun.sleep(400);
  await rig.dropSql();
  rig.pg.halt("immediate"); // a crash of the server, mid-transaction for some appends
  try {
    await refusedWhileDown("load");
    await load.done;
  } finally {
    rig.pg.restart();
  }
  logsExplain(rig.nodes);
  const all = [...rec.acks, ...(await servesAgain("load", pids))];
  // every session the outage hit takes a new message again (none is left waiting behind a run that
  // can no longer finish)
  const ws = await rig.connect(rig.node(0));
  for (const session of dbSessions) {
    const out = await send(ws, "n1", session, `${session}#after-the-outage`, all);
    expect(out.kind).toBe("answer");
    const final = await finalOf(ws, all.at(-1)!.runId, 30_000, `${session} after the outage`).catch(async (err) => {
      const runs = await rig.sql.unsafe(`SELECT session_key, run_id, node_id, user_seq FROM "${rig.schema}".runs WHERE session_key = $1`, [session]);
      const leases = await rig.sql.unsafe(`SELECT name, node_id FROM "${rig.schema}".leases`);
      throw new Error(`${err instanceof Error ? err.message : err}; unfinished runs of ${session}: ${JSON.stringify(runs)}; leases: ${JSON.stringify(leases)}`);
    });
    expect({ session, outcome: final.outcome }).toEqual({ session, outcome: "ok" });
  }
  const sessions = [...dbSessions, "agent:main:down-load", "agent:main:back-load"];
  await settle(sessions);
  expect(await checkLog(rig.sql, rig.schema, all, { settled: true, sessions })).toEqual([]);
  const shown: Shown[] = [...rec.errors, ...rec.runErrors()];
  for (const e of shown) {
    expect(e.message).not.toContain(DB_PASSWORD);
    expect(e.message).not.toContain("postgres://"); // never the URL or the driver's own text
  }
  for (const e of rec.errors) expect(e).toMatchObject({ code: -32040, message: STORAGE_MESSAGE });
  for (const c of rec.clients) c.ws.close();
}, 120_000);
