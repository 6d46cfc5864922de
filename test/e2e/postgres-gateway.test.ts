// e2e: the compiled binary's gateway with `storage.driver: "postgres"` on a real PostgreSQL: a turn
// is stored in the database (own schema), and a second gateway with another state dir on the same
// database serves that history — the database, not the node, holds the sessions.
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

const config = () => ({
  gateway: { auth: { token: TOKEN } },
  models: { providers: { anthropic: { baseUrl: fake.url, apiKey: "sk-ant-e2e-" + "k".repeat(24) } } },
  agents: { defaults: { model: "anthropic/claude-e2e", sandbox: { level: "standard" } } },
  storage: { driver: "postgres", url: pg.url, schema: "team" },
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
