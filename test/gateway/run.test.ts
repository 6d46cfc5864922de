// `openclaw gateway run` as a real child process: graceful shutdown with a turn in flight (finished
// within the grace period, or aborted after it), single instance per state dir, busy port, and the
// refusal to bind beyond loopback without auth.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openStore } from "../../src/store/sqlite.ts";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { TOKEN, WsClient } from "./helpers.ts";
import { spawnGateway, tempState } from "./process.ts";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic({ fallback: "echo" });
});
afterAll(() => fake.stop());

const configFor = (graceMs: number, extra: Record<string, unknown> = {}) => ({
  gateway: { auth: { token: TOKEN }, limits: { shutdownGraceMs: graceMs } },
  models: { providers: { anthropic: { baseUrl: fake.url, apiKey: "sk-ant-test-" + "k".repeat(24) } } },
  agents: { defaults: { model: "anthropic/claude-test", sandbox: { level: "off" } } },
  ...extra,
});

async function lastOutcome(stateDir: string, sessionKey: string): Promise<string | undefined> {
  const store = await openStore(join(stateDir, "state", "openclaw.db"));
  try {
    const events = await store.readLatest(sessionKey, 20);
    const fin = events.filter((e) => e.data.type === "run_finished").at(-1);
    return fin?.data.type === "run_finished" ? fin.data.outcome : undefined;
  } finally {
    await store.close();
  }
}

async function turnInFlight(port: number, sessionKey: string): Promise<{ client: WsClient; runId: string }> {
  const client = await WsClient.connect(`ws://127.0.0.1:${port}/ws`, { token: TOKEN });
  const r = (await client.call("chat.send", { sessionKey, text: "take your time" })).result;
  await client.until(() => client.events(r.runId).some((e) => e.type === "text_delta"), 10_000);
  return { client, runId: r.runId };
}

describe("gateway run (child process)", () => {
  test("SIGTERM with a turn in flight: the turn finishes within the grace period, exit 0", async () => {
    const st = tempState(configFor(10_000));
    const gw = await spawnGateway(st).started;
    expect(gw.stderr()).toContain("state: " + st.stateDir);
    fake.enqueue(reply.text("a slow but complete answer", { chunkSize: 3, delayMs: 60 }));
    const { client, runId } = await turnInFlight(gw.port, "agent:main:graceful");
    gw.proc.kill("SIGTERM");
    await client.until(() => client.events(runId).some((e) => e.type === "final"), 15_000);
    expect(client.events(runId).find((e) => e.type === "final")).toMatchObject({ outcome: "ok", text: "a slow but complete answer" });
    expect(await gw.exited).toBe(0);
    expect(await lastOutcome(st.stateDir, "agent:main:graceful")).toBe("ok");
    expect(gw.stderr()).toContain("gateway stopped");
  }, 30_000);

  test("SIGTERM with a turn that outlives the grace period: recorded aborted, exit 0", async () => {
    const st = tempState(configFor(300));
    const gw = await spawnGateway(st).started;
    fake.enqueue(reply.text("never finishes", { chunkSize: 5, hold: true }));
    const { client, runId } = await turnInFlight(gw.port, "agent:main:aborted");
    gw.proc.kill("SIGTERM");
    expect(await gw.exited).toBe(0);
    expect(await lastOutcome(st.stateDir, "agent:main:aborted")).toBe("aborted");
    const fin = client.events(runId).find((e) => e.type === "final");
    if (fin) expect(fin.outcome).toBe("aborted");
  }, 30_000);

  test("a second gateway on the same state dir or the same port fails with a clear message", async () => {
    const st = tempState(configFor(0));
    const a = await spawnGateway(st).started;
    try {
      const b = spawnGateway({ ...st, args: ["--port", "0"] });
      expect(await b.proc.exited).toBe(1);
      expect(b.stderr()).toContain(`another gateway (pid ${a.proc.pid}) is running with state dir ${st.stateDir}`);

      const other = tempState(configFor(0));
      const c = spawnGateway({ ...other, args: ["--port", String(a.port)] });
      expect(await c.proc.exited).toBe(1);
      expect(c.stderr()).toContain(`port ${a.port} is in use: is another gateway running? use --port`);
    } finally {
      a.proc.kill("SIGTERM");
      expect(await a.exited).toBe(0);
    }
  }, 30_000);

  test("a non-loopback bind without auth refuses to start and says why (exit 78)", async () => {
    const st = tempState({ gateway: { auth: { mode: "none" } } });
    const b = spawnGateway({ ...st, args: ["--port", "0", "--bind", "lan"] });
    expect(await b.proc.exited).toBe(78);
    expect(b.stderr()).toContain("refusing to listen on 0.0.0.0 without authentication");
  }, 30_000);
});
