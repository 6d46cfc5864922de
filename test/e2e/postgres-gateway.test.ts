// e2e: the compiled binary's gateway with `storage.driver: "postgres"` on a real PostgreSQL: a turn
// is stored in the database (own schema), and a second gateway with another state dir on the same
// database serves that history — the database, not the node, holds the sessions; and a run on one
// node streams to a client on the other.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { SQL } from "bun";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { TOKEN } from "../gateway/helpers.ts";
import { type PgServer, startPostgres } from "../support/postgres.ts";
import { connectAuthed, startBinaryGateway, stopGateway } from "./binary-gateway.ts";
import { freshBinary } from "./fresh-binary.ts";

setDefaultTimeout(60_000);
let pg: PgServer;
let fake: FakeAnthropic;
beforeAll(async () => {
  freshBinary();
  pg = startPostgres();
  fake = await startFakeAnthropic({ fallback: "echo" });
}, 300_000);
afterAll(async () => {
  await fake?.stop();
  pg?.stop();
});

const config = (schema = "team") => ({
  gateway: { auth: { token: TOKEN } },
  models: { providers: { anthropic: { baseUrl: fake.url, apiKey: "sk-ant-e2e-" + "k".repeat(24) } } },
  agents: { defaults: { model: "anthropic/claude-e2e", sandbox: { level: "standard" } } },
  storage: { driver: "postgres", url: pg.url, schema },
});

test("a turn lands in PostgreSQL and another node on the same database serves it", async () => {
  const a = await startBinaryGateway(config());
  try {
    const ws = await connectAuthed(a);
    const r = (await ws.call("chat.send", { sessionKey: "agent:main:pg", text: "echo pg-e2e" })).result;
    await ws.until(() => ws.events(r.runId).some((e) => e.type === "final"), 30_000);
    expect(ws.events(r.runId).find((e) => e.type === "final")).toMatchObject({ outcome: "ok" });
    ws.close();
  } finally {
    expect(await stopGateway(a)).toBe(0);
  }
  const sql = new SQL(pg.url);
  const rows = await sql`SELECT seq::int AS seq, type FROM team.events WHERE session_key = 'agent:main:pg' ORDER BY seq`;
  await sql.close();
  expect(rows.map((x: { type: string }) => x.type)).toEqual(["user_message", "run_started", "assistant_message", "run_finished"]);

  const b = await startBinaryGateway(config()); // a fresh state dir: nothing local to read from
  try {
    const ws = await connectAuthed(b);
    const hist = (await ws.call("chat.history", { sessionKey: "agent:main:pg" })).result.entries;
    expect(hist.map((e: { kind: string }) => e.kind)).toEqual(["message", "run_started", "message", "run_finished"]);
    expect(JSON.stringify(hist)).toContain("pg-e2e");
    ws.close();
  } finally {
    expect(await stopGateway(b)).toBe(0);
  }
}, 300_000);

// the compiled binary wires the fan-out: a client on A sees the chat.events of a run started through B,
// the same as B's own client (the multi-node suite is test/e2e/cluster*.test.ts; this checks the wiring)
test("a client on node A streams a run executing on node B", async () => {
  const a = await startBinaryGateway(config("fan"));
  const b = await startBinaryGateway(config("fan"));
  try {
    const onA = await connectAuthed(a);
    await onA.call("sessions.subscribe", { sessionKey: "agent:main:fan" });
    const onB = await connectAuthed(b);
    const r = (await onB.call("chat.send", { sessionKey: "agent:main:fan", text: "echo across nodes ✓" })).result;
    await onB.until(() => onB.events(r.runId).some((e) => e.type === "final"), 30_000);
    await onA.until(() => onA.events(r.runId).some((e) => e.type === "final"), 30_000);
    expect(onA.events(r.runId)).toEqual(onB.events(r.runId));
    expect(onA.events(r.runId).find((e) => e.type === "final")).toMatchObject({ outcome: "ok" });
    expect(JSON.stringify(onA.events(r.runId))).toContain("across nodes ✓");
    onA.close();
    onB.close();
  } finally {
    expect(await stopGateway(a)).toBe(0);
    expect(await stopGateway(b)).toBe(0);
  }
}, 300_000);
