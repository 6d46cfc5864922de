// e2e: the compiled binary wires the fan-out: two gateway processes on one PostgreSQL database, a
// client on A subscribed to a session sees the chat.events of a run started through B, the same as
// B's own client (the multi-node suite is test/e2e/cluster*.test.ts; this checks the wiring).
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
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
  storage: { driver: "postgres", url: pg.url, schema: "fan" },
});

test("a client on node A streams a run executing on node B", async () => {
  const a = await startBinaryGateway(config());
  const b = await startBinaryGateway(config());
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
