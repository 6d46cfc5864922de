// `openclaw gateway run` as a real child process: graceful shutdown with a turn in flight (finished
// within the grace period, or aborted after it), single instance per state dir, busy port, the
// refusal to bind beyond loopback without auth, start-up with an unreachable Telegram API, the
// --token warning and flag errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openStore } from "../../src/store/sqlite.ts";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { FAKE_TOKEN } from "../fakes/telegram.ts";
import { TOKEN, WsClient } from "../gateway/helpers.ts";
import { spawnGateway, tempState } from "../gateway/process.ts";

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

  test("an unreachable Telegram API holds up nothing: listening, /readyz and status show the channel's state, SIGTERM stops (exit 0)", async () => {
    // accepts connections and never answers: what a firewalled or black-holed api.telegram.org looks like
    const blackHole = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {}, open() {} } });
    try {
      const st = tempState(configFor(0, { channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: `http://127.0.0.1:${blackHole.port}` } } }));
      const gw = await spawnGateway(st).started; // before the fix: no "listening" line until Telegram answered (never)
      const ready = await fetch(`${gw.url}/readyz`);
      expect(ready.status).toBe(200);
      const body = await ready.json();
      expect(body.ready).toBe(true);
      expect(body.channels).toEqual([expect.objectContaining({ id: "telegram", running: false, state: expect.stringMatching(/^(starting|retrying)$/) })]);
      const status = await fetch(`${gw.url}/rpc`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "status", params: {} }),
      });
      expect((await status.json()).result.channels[0]).toMatchObject({ id: "telegram", running: false });
      gw.proc.kill("SIGTERM");
      expect(await gw.exited).toBe(0);
      expect(gw.stderr()).toContain("gateway stopped");
      expect(gw.stderr()).not.toContain(FAKE_TOKEN.split(":")[1]!);
    } finally {
      blackHole.stop(true);
    }
  }, 30_000);

  test("--token works but warns that every local user can read it in the process list; the token is never printed", async () => {
    const st = tempState(configFor(0, { gateway: { limits: { shutdownGraceMs: 0 } } }));
    const flagToken = "flag-token-" + "f".repeat(40);
    const gw = await spawnGateway({ ...st, args: ["--port", "0", "--token", flagToken] }).started;
    try {
      expect(gw.stderr()).toContain("--token puts the token in the process list (ps, /proc/<pid>/cmdline), readable by every local user");
      expect(gw.stderr()).toContain("prefer OPENCLAW_GATEWAY_TOKEN");
      expect(gw.stderr()).toContain("token: from --token");
      expect(gw.stderr()).not.toContain(flagToken);
      const ok = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${flagToken}` } });
      expect(ok.status).toBe(200);
    } finally {
      gw.proc.kill("SIGTERM");
      expect(await gw.exited).toBe(0);
    }
  }, 30_000);

  test("OPENCLAW_GATEWAY_TOKEN is used and named as the source, without a warning", async () => {
    const st = tempState(configFor(0, { gateway: { limits: { shutdownGraceMs: 0 } } }));
    const envToken = "env-token-" + "e".repeat(40);
    const gw = await spawnGateway({ ...st, env: { OPENCLAW_GATEWAY_TOKEN: envToken } }).started;
    try {
      expect(gw.stderr()).toContain("token: from OPENCLAW_GATEWAY_TOKEN");
      expect(gw.stderr()).not.toContain("--token puts the token");
      expect((await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${envToken}` } })).status).toBe(200);
    } finally {
      gw.proc.kill("SIGTERM");
      expect(await gw.exited).toBe(0);
    }
  }, 30_000);

  test("--port out of range is a usage error: exit 2 and the flag named", async () => {
    const st = tempState(configFor(0));
    const b = spawnGateway({ ...st, args: ["--port", "99999"] });
    expect(await b.proc.exited).toBe(2);
    expect(b.stderr()).toContain("--port must be a port number (0-65535), got 99999");
  }, 30_000);

  test("a SIGTERM during start-up (after the config is read) is a graceful stop, not a kill", async () => {
    const st = tempState(configFor(0, { startupMarker: true })); // an unknown key: its warning marks "config read"
    const child = spawnGateway(st);
    const end = Date.now() + 20_000;
    while (!child.stderr().includes(`unknown config key "startupMarker"`)) {
      if (Date.now() > end) throw new Error(`no config warning within 20 s:\n${child.stderr()}`);
      await Bun.sleep(2);
    }
    child.proc.kill("SIGTERM");
    expect(await child.proc.exited).toBe(0); // before: the default action killed it (exit by signal)
    expect(child.stderr()).toContain("gateway stopped");
  }, 30_000);
});
