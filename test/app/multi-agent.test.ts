// Multi-agent through the composition root: two configured agents with different models, the real
// gateway on 127.0.0.1:0, the real SQLite store, the Anthropic SDK against the fake Messages API
// (which records the model each request asked for). Each entry point reaches the agent it names;
// an unknown id is refused with the configured ones listed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assembleApp, type App } from "../../src/app/assemble.ts";
import type { AgentEvent } from "../../src/agent/types.ts";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { configureLogging, createLogger } from "../../src/core/log.ts";
import { ApiKey } from "../../src/core/secrets.ts";
import { serveGateway, type RunningServer } from "../../src/gateway/server.ts";
import { openStore } from "../../src/store/sqlite.ts";
import type { SessionStore } from "../../src/store/types.ts";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { FAKE_TOKEN, FakeTelegram } from "../fakes/telegram.ts";

configureLogging({ level: process.env.TEST_LOG ? "debug" : "silent" });
const TOKEN = "multi-agent-token-" + "m".repeat(32);
const OWNER = 4242;

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic({ fallback: "echo" });
});
afterAll(() => fake.stop());

interface Running {
  app: App;
  store: SessionStore;
  server: RunningServer;
  dir: string;
  close(): Promise<void>;
}

async function start(extra: Record<string, unknown> = {}, opts: { telegram?: boolean } = {}): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), "multi-agent-"));
  const config = {
    models: { providers: { anthropic: { baseUrl: fake.url, apiKey: "sk-ant-test-" + "k".repeat(24) } } },
    agents: {
      defaults: { model: "anthropic/claude-main", workspace: join(dir, "ws-main"), sandbox: { level: "off" } },
      entries: { work: { model: "anthropic/claude-work", workspace: join(dir, "ws-work") } },
    },
    ...extra,
  };
  const path = join(dir, "openclaw.json");
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  const store = await openStore(join(dir, "openclaw.db"));
  let app: App;
  try {
    app = assembleApp({
      loaded: loadConfig({ path, env: {} }),
      store,
      auth: { mode: "token", token: new ApiKey(TOKEN), source: "config" },
      log: createLogger("test"),
      telegram: { shutdownGraceMs: 200 },
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  const server = serveGateway(app.gateway, { hostname: "127.0.0.1", port: 0 });
  if (opts.telegram) for (const ch of app.channels) await ch.start();
  return {
    app, store, server, dir,
    async close() {
      for (const ch of app.channels) await ch.stop();
      await app.router.shutdown(0);
      app.gateway.dispose();
      await server.stop(true);
      await store.close();
    },
  };
}

async function rpc(r: Running, method: string, params: unknown): Promise<any> {
  const res = await fetch(`${r.server.url}/rpc`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return res.json();
}

/** The run's final event; fails the test loudly when it does not come. */
function finalOf(r: Running, runId: string, timeoutMs = 10_000): Promise<Extract<AgentEvent, { type: "final" }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`run ${runId} did not finish within ${timeoutMs} ms`))), timeoutMs);
    const off = r.app.router.onEvent((e) => {
      if (e.type === "final" && e.runId === runId) {
        clearTimeout(timer);
        off();
        resolve(e);
      }
    });
  });
}

const lastModel = () => fake.bodies().at(-1)?.model as string | undefined;

describe("multi-agent: chat.send", () => {
  let r: Running;
  beforeAll(async () => {
    r = await start();
  });
  afterAll(() => r.close());

  test("agentId picks the agent's model; no agentId is main; the session key's agent is used when agentId is absent", async () => {
    const work = (await rpc(r, "chat.send", { agentId: "work", text: "to work" })).result;
    expect(work.sessionKey).toBe("agent:work:main");
    expect((await finalOf(r, work.runId)).outcome).toBe("ok");
    expect(lastModel()).toBe("claude-work");

    const main = (await rpc(r, "chat.send", { text: "to main" })).result;
    await finalOf(r, main.runId);
    expect(lastModel()).toBe("claude-main");

    const byKey = (await rpc(r, "chat.send", { sessionKey: "agent:work:side", text: "by key" })).result;
    await finalOf(r, byKey.runId);
    expect(lastModel()).toBe("claude-work");
    expect((await r.store.getSession("agent:work:side"))?.agentId).toBe("work");
  });

  test("an unknown agentId is -32602 listing the configured agents; nothing reaches a model", async () => {
    const before = fake.bodies().length;
    const res = await rpc(r, "chat.send", { agentId: "ghost", text: "hello?" });
    expect(res.error.code).toBe(-32602);
    expect(res.error.data.type).toBe("UnknownAgentError");
    expect(res.error.message).toContain(`unknown agent "ghost"; configured agents: main, work`);
    expect(fake.bodies().length).toBe(before);
    expect(await r.store.getSession("agent:ghost:main")).toBeNull();
    const byKey = await rpc(r, "chat.send", { sessionKey: "agent:ghost:side", text: "hello?" });
    expect(byKey.error.code).toBe(-32602);
    expect(byKey.error.message).toContain(`unknown agent "ghost"`);
    expect(fake.bodies().length).toBe(before);
  });

  test("a session key of one agent with agentId of another is refused", async () => {
    const res = await rpc(r, "chat.send", { sessionKey: "agent:work:main", agentId: "main", text: "mixed" });
    expect(res.error.code).toBe(-32602);
    expect(res.error.message).toContain(`belongs to agent "work"`);
  });

  test("each agent writes its own workspace and has its own sandbox executor", async () => {
    fake.enqueue(reply.toolUse("write", { path: "note.txt", content: "from work" }), reply.text("written"));
    const w = (await rpc(r, "chat.send", { agentId: "work", sessionKey: "agent:work:ws", text: "write a note" })).result;
    expect((await finalOf(r, w.runId)).text).toBe("written");
    expect(readFileSync(join(r.dir, "ws-work", "note.txt"), "utf8")).toBe("from work");
    expect(existsSync(join(r.dir, "ws-main", "note.txt"))).toBe(false);
    expect(r.app.agents.executors.get("work")).not.toBe(r.app.agents.executors.get("main"));
  });
});

describe("multi-agent: OpenAI-compatible endpoint", () => {
  let r: Running;
  beforeAll(async () => {
    r = await start();
  });
  afterAll(() => r.close());

  const complete = (model: string) =>
    fetch(`${r.server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: `via ${model}` }] }),
    });

  test("model openclaw/<id> reaches that agent's model; openclaw is main; /v1/models lists both", async () => {
    const work = await complete("openclaw/work");
    expect(work.status).toBe(200);
    expect((await work.json()).choices[0].message.content).toContain("via openclaw/work");
    expect(lastModel()).toBe("claude-work");
    expect((await complete("openclaw")).status).toBe(200);
    expect(lastModel()).toBe("claude-main");
    const models = await (await fetch(`${r.server.url}/v1/models`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(models.data.map((m: { id: string }) => m.id)).toEqual(["openclaw", "openclaw/main", "openclaw/work"]);
  });

  test("an unknown agent is a 404 model_not_found naming the configured models", async () => {
    const before = fake.bodies().length;
    const res = await complete("openclaw/ghost");
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body.error.code).toBe("model_not_found");
    expect(body.error.message).toContain("openclaw/work");
    expect(fake.bodies().length).toBe(before);
  });
});

describe("multi-agent: Telegram agentId", () => {
  test("channels.telegram.agentId: the bot's turns run on that agent's model", async () => {
    const tg = await new FakeTelegram({ maxPollWaitMs: 200 }).start();
    const r = await start(
      { channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: tg.url, agentId: "work", dmPolicy: "allowlist", allowFrom: [OWNER], pollTimeoutSeconds: 1, editThrottleMs: 50 } } },
      { telegram: true },
    );
    try {
      tg.dm(OWNER, "hello bot");
      await tg.waitFor(() => tg.textsIn(OWNER).some((t) => t.includes("hello bot")), 10_000, "the echoed reply");
      expect(lastModel()).toBe("claude-work");
      expect((await r.store.getSession("agent:work:main"))?.lastSeq).toBeGreaterThan(0);
    } finally {
      await r.close();
      await tg.stop();
    }
  });

  test("an agentId that is not configured stops the start with a ConfigError listing the agents", async () => {
    let err: unknown;
    try {
      await start({ channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: "http://127.0.0.1:9", agentId: "ghost" } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(`channels.telegram.agentId: unknown agent "ghost"; configured agents: main, work`);
  });
});
