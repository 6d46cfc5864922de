// Channels as the composition root runs them: a channel whose start fails (here the Bot API
// refuses the token) leaves the gateway serving, and /readyz and `status` report it as failed with
// the reason; the token never shows.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assembleApp } from "../../src/app/assemble.ts";
import { loadConfig } from "../../src/config/load.ts";
import { configureLogging, createLogger } from "../../src/core/log.ts";
import { ApiKey } from "../../src/core/secrets.ts";
import { createApp } from "../../src/gateway/app.ts";
import { openStore } from "../../src/store/sqlite.ts";
import { FAKE_TOKEN, FakeTelegram } from "../fakes/telegram.ts";

configureLogging({ level: "silent" });
const TOKEN = "channels-test-token-" + "c".repeat(32);
const tg = await new FakeTelegram({ maxPollWaitMs: 200 }).start();
afterAll(() => tg.stop());

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(10);
  }
}

test("a refused bot token: the channel is failed with the reason in /readyz and status; the gateway stays ready", async () => {
  tg.failNext("getMe", { code: 401, description: "Unauthorized" }, 50);
  const dir = mkdtempSync(join(tmpdir(), "app-channels-"));
  const path = join(dir, "openclaw.json");
  writeFileSync(path, JSON.stringify({ agents: { defaults: { sandbox: { level: "off" }, workspace: join(dir, "ws") } }, channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: tg.url } } }), { mode: 0o600 });
  const store = await openStore(join(dir, "openclaw.db"));
  const { gateway, channels, router } = assembleApp({
    loaded: loadConfig({ path, env: {} }),
    store,
    auth: { mode: "token", token: new ApiKey(TOKEN), source: "config" },
    log: createLogger("test"),
    telegram: { shutdownGraceMs: 100, sleep: () => Bun.sleep(1) },
  });
  try {
    expect(channels.map((c) => c.id)).toEqual(["telegram"]);
    await channels[0]!.start(); // returns at once, whatever the remote side does
    await until(() => channels[0]!.status().state === "failed", "the telegram channel to report failed");
    const app = createApp(gateway);
    const ready = await app.request("/readyz", {}, { ip: "127.0.0.1" });
    expect(ready.status).toBe(200);
    const body = await ready.json();
    expect(body.ready).toBe(true);
    expect(body.channels[0]).toMatchObject({ id: "telegram", state: "failed", running: false, lastError: expect.stringContaining("Unauthorized") });
    expect(JSON.stringify(body)).not.toContain(FAKE_TOKEN.split(":")[1]!);
    const status = await app.request("/rpc", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "channels.status", params: {} }),
    }, { ip: "127.0.0.1" });
    expect((await status.json()).result.channels[0]).toMatchObject({ id: "telegram", state: "failed" });
  } finally {
    for (const ch of channels) await ch.stop();
    await router.shutdown(0);
    gateway.dispose();
    await store.close();
  }
}, 20_000);
