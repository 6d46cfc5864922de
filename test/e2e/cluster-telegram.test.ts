// e2e, issue 16: Telegram behind several compiled gateways on one PostgreSQL. Webhook mode works behind
// any node: one update delivered to two nodes (Telegram's retry, routed elsewhere by the balancer) is
// answered once, the de-duplication is in the database. Long polling runs on exactly one node (the
// leader, by lease) and moves to another when that node dies. The fake Bot API (test/fakes/telegram.ts)
// is reached through a small proxy per node, so every Bot API call is recorded with the node that made it,
// and pushes webhook updates through a small balancer that spreads them over the nodes.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { FAKE_TOKEN, FakeTelegram } from "../fakes/telegram.ts";
import { type PgServer, startPostgres } from "../support/postgres.ts";
import { rpc, waitUntil } from "./binary-gateway.ts";
import { checkLog, logFacts } from "./cluster-log.ts";
import { ClusterRig } from "./cluster-rig.ts";
import { freshBinary } from "./fresh-binary.ts";

setDefaultTimeout(120_000);
const OWNER = 4242;
const SECRET = "cluster_webhook_secret_0123456789";

let pg: PgServer;
let tg: FakeTelegram;
const proxies: Array<{ stop(closeActive?: boolean): void }> = [];
/** every Bot API call through a node's proxy: which node, which method */
const apiCalls: Array<{ node: string; method: string; ts: number }> = [];

beforeAll(async () => {
  freshBinary();
  pg = startPostgres();
  tg = await new FakeTelegram({ maxPollWaitMs: 500 }).start();
  webhookUrl = startBalancer();
}, 300_000);
afterAll(async () => {
  for (const p of proxies) p.stop(true);
  await tg?.stop();
  pg?.stop();
});

/** A proxy in front of the fake Bot API for one node: records the method, forwards the request as it is. */
function proxyFor(name: string): string {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 60,
    async fetch(req) {
      const u = new URL(req.url);
      const method = u.pathname.split("/").at(-1) ?? "";
      apiCalls.push({ node: name, method, ts: performance.now() });
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
      const res = await fetch(`${tg.url}${u.pathname}${u.search}`, { method: req.method, headers: req.headers, ...(body ? { body } : {}), signal: req.signal });
      return new Response(res.body, { status: res.status, headers: res.headers });
    },
  });
  proxies.push(server);
  return `http://127.0.0.1:${server.port}`;
}

/**
 * The load balancer in front of the nodes' webhook routes: each delivery goes to the next live node.
 * With `loseNext` set, the node's 200 for the next delivery is replaced by a 502 (the answer lost on
 * the way back), so the fake Bot API retries that update, like Telegram, and the retry reaches the
 * other node.
 */
const balancer = {
  rig: null as ClusterRig | null,
  next: 0,
  loseNext: false,
  deliveries: [] as Array<{ node: string; updateId: number; status: number; toTelegram: number }>,
};
function startBalancer(): string {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const nodes = balancer.rig?.alive() ?? [];
      if (nodes.length === 0) return new Response("no node", { status: 503 });
      const node = nodes[balancer.next++ % nodes.length]!;
      const body = await req.text();
      const res = await fetch(`${node.gw!.url}/telegram-webhook`, { method: "POST", headers: req.headers, body });
      const lose = balancer.loseNext && res.status === 200;
      if (lose) balancer.loseNext = false;
      const toTelegram = lose ? 502 : res.status;
      balancer.deliveries.push({ node: node.name, updateId: (JSON.parse(body) as { update_id: number }).update_id, status: res.status, toTelegram });
      return new Response(lose ? "bad gateway" : await res.text(), { status: toTelegram });
    },
  });
  proxies.push(server);
  return `http://127.0.0.1:${server.port}/telegram-webhook`;
}
let webhookUrl = "";

const telegram = (name: string, mode: "webhook" | "polling") => ({
  channels: {
    telegram: {
      botToken: FAKE_TOKEN,
      apiRoot: proxyFor(`${mode}-${name}`),
      dmPolicy: "allowlist",
      allowFrom: [OWNER],
      pollTimeoutSeconds: 1,
      streaming: "off",
      ...(mode === "webhook" ? { webhookUrl, webhookSecret: SECRET } : {}),
    },
  },
});

/** Replies the fake sent to the owner that contain `text` (the echo of the message). */
const repliesWith = (text: string) => tg.messages.filter((m) => m.chat_id === OWNER && m.text.includes(text));

/** Waits until the Telegram channel of every live node is running (its start-up work done). */
async function channelsRunning(rig: ClusterRig): Promise<void> {
  for (const node of rig.alive()) {
    await waitUntil(async () => {
      const r = await rpc(node.gw!, "channels.status");
      return r.result?.channels?.find((c: { id: string }) => c.id === "telegram")?.state === "running" ? true : undefined;
    }, `the Telegram channel of ${node.name} to run`);
  }
}

test("webhook mode behind any node: an update delivered to two nodes (Telegram's retry) is answered once", async () => {
  const rig = await ClusterRig.start({ nodes: 2, pg, schema: "hook", extra: (n) => telegram(n, "webhook") });
  balancer.rig = rig;
  try {
    await channelsRunning(rig);
    // the first node stores the update and answers 200, the answer is lost, the retry goes to the other node
    balancer.loseNext = true;
    const id = tg.dm(OWNER, "hook#0 once please");
    await waitUntil(async () => (tg.pushes.some((p) => p.updateId === id && p.status === 200) ? true : undefined), "the update delivered");
    const delivered = balancer.deliveries.filter((d) => d.updateId === id);
    expect(delivered.map((d) => [d.status, d.toTelegram])).toEqual([[200, 502], [200, 200]]);
    expect(new Set(delivered.map((d) => d.node)).size).toBe(2);
    // a later update: once it is answered, both nodes have worked through the first
    tg.dm(OWNER, "hook#1 then this");
    await waitUntil(async () => (repliesWith("hook#1 then this").length > 0 ? true : undefined), "the reply to the second update", 30_000);
    await waitUntil(async () => ((await logFacts(rig.sql, rig.schema)).unfinished.length === 0 ? true : undefined), "every Telegram run to finish");
    const f = await logFacts(rig.sql, rig.schema);
    expect([...f.userText.values()].filter((t) => t.includes("hook#0 once please"))).toHaveLength(1);
    expect(repliesWith("hook#0 once please")).toHaveLength(1);
    const inbox = (await rig.sql.unsafe(`SELECT update_id, done FROM hook.inbox WHERE channel = 'telegram' AND update_id = $1`, [String(id)])) as Array<{ update_id: string; done: boolean }>;
    expect(inbox).toEqual([{ update_id: String(id), done: true }]);
    expect(await checkLog(rig.sql, rig.schema, [], { settled: true })).toEqual([]);

    // a node that starts while another works an update must not take that update over
    tg.dm(OWNER, "hook#2 [slow=2500] in flight while a node starts");
    await waitUntil(async () => (rig.fake.calls.some((c) => c.text.includes("hook#2") && c.end === null) ? true : undefined), "the model request of the in-flight update");
    await rig.addNode();
    await channelsRunning(rig);
    await waitUntil(async () => (repliesWith("hook#2").length > 0 ? true : undefined), "the reply to the in-flight update", 30_000);
    await waitUntil(async () => ((await logFacts(rig.sql, rig.schema)).unfinished.length === 0 ? true : undefined), "every Telegram run to finish");
    const g = await logFacts(rig.sql, rig.schema);
    expect([...g.userText.values()].filter((t) => t.includes("hook#2"))).toHaveLength(1);
    expect(rig.fake.calls.filter((c) => c.text.includes("hook#2")).map((c) => c.node)).toHaveLength(1);
    expect(repliesWith("hook#2")).toHaveLength(1);
    expect(await checkLog(rig.sql, rig.schema, [], { settled: true })).toEqual([]);
  } finally {
    balancer.rig = null;
    await rig.stop();
    tg.webhook = null;
  }
});

/** The nodes that called getUpdates since `since` (performance.now() time). */
const pollers = (since: number) => new Set(apiCalls.filter((c) => c.method === "getUpdates" && c.ts >= since).map((c) => c.node));

test("long polling runs on exactly one node, and moves to another when that node dies", async () => {
  const rig = await ClusterRig.start({ nodes: 3, pg, schema: "poll", extra: (n) => telegram(n, "polling") });
  try {
    const first = await waitUntil(async () => {
      const p = pollers(0);
      return p.size > 0 ? [...p][0] : undefined;
    }, "a node to start polling");
    // watch a while: one poller, and the fake never had to end a poll for a newer one (409 Conflict)
    const from = performance.now();
    const conflicts = () => tg.calls.filter((c) => c.method === "getUpdates" && c.status === 409).length;
    const conflicts0 = conflicts();
    await waitUntil(async () => (apiCalls.filter((c) => c.method === "getUpdates" && c.ts >= from).length >= 4 ? true : undefined), "four polls");
    expect([...pollers(from)]).toEqual([first]);
    expect(conflicts()).toBe(conflicts0);
    tg.dm(OWNER, "poll#0 to the leader");
    await waitUntil(async () => (repliesWith("poll#0 to the leader").length > 0 ? true : undefined), "the answer through the leader", 30_000);

    // the leader has finished the update (inbox row done, delivery recorded) before it dies: a kill between the
    // Bot API's sendMessage and that record is the one window where a reply can go out twice (at least once)
    await waitUntil(async () => {
      const rows = (await rig.sql.unsafe(`SELECT count(*)::int AS n FROM "${rig.schema}".inbox WHERE channel = 'telegram' AND NOT done`)) as { n: number }[];
      return rows[0]!.n === 0 ? true : undefined;
    }, "the leader to mark the update done");
    // the leader dies: after its lease lapses another node polls, and answers
    const leader = rig.nodes.find((n) => `polling-${n.name}` === first)!;
    await rig.kill(leader);
    const killedAt = performance.now();
    const next = await waitUntil(async () => {
      const p = [...pollers(killedAt)].filter((n) => n !== first);
      return p.length > 0 ? p[0] : undefined;
    }, "another node to take over polling", 30_000);
    tg.dm(OWNER, "poll#1 after the leader died");
    await waitUntil(async () => (repliesWith("poll#1 after the leader died").length > 0 ? true : undefined), "the answer through the new leader", 30_000);
    const after = performance.now();
    await waitUntil(async () => (apiCalls.filter((c) => c.method === "getUpdates" && c.ts >= after).length >= 4 ? true : undefined), "four more polls");
    expect([...pollers(after)]).toEqual([next]);
    expect(repliesWith("poll#0 to the leader")).toHaveLength(1);
    expect(repliesWith("poll#1 after the leader died")).toHaveLength(1);
    await waitUntil(async () => ((await logFacts(rig.sql, rig.schema)).unfinished.length === 0 ? true : undefined), "every Telegram run to finish");
    expect(await checkLog(rig.sql, rig.schema, [], { settled: true })).toEqual([]);
  } finally {
    await rig.stop();
  }
});
