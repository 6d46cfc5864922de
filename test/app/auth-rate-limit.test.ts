// gateway.auth.rateLimit through the composition root: OpenClaw's keys reach the real gateway's
// limiter (on 127.0.0.1:0, over HTTP), exemptLoopback is refused with a warning, and no key keeps
// the defaults.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authRateLimit } from "../../src/app/auth-rate-limit.ts";
import { assembleApp, type App } from "../../src/app/assemble.ts";
import { loadConfig } from "../../src/config/load.ts";
import { configureLogging, createLogger, type Logger } from "../../src/core/log.ts";
import { DEFAULT_RATE_LIMIT } from "../../src/core/ratelimit.ts";
import { ApiKey } from "../../src/core/secrets.ts";
import { serveGateway, type RunningServer } from "../../src/gateway/server.ts";
import { openStore } from "../../src/store/sqlite.ts";
import type { SessionStore } from "../../src/store/types.ts";

configureLogging({ level: "silent" });
const TOKEN = "rate-limit-token-" + "r".repeat(32);
const open: { app: App; store: SessionStore; server: RunningServer }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.app.router.shutdown(0);
    o.app.gateway.dispose();
    await o.server.stop(true);
    await o.store.close();
  }
});

function configWith(rateLimit?: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), "auth-rate-limit-"));
  const path = join(dir, "openclaw.json");
  const config = {
    models: { providers: { anthropic: { baseUrl: "http://127.0.0.1:9", apiKey: "sk-ant-test-" + "k".repeat(24) } } },
    agents: { defaults: { workspace: join(dir, "ws"), sandbox: { level: "off" } } },
    ...(rateLimit ? { gateway: { auth: { rateLimit } } } : {}),
  };
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  return { dir, loaded: loadConfig({ path, env: {} }) };
}

async function start(rateLimit?: Record<string, unknown>) {
  const { dir, loaded } = configWith(rateLimit);
  const store = await openStore(join(dir, "openclaw.db"));
  const app = assembleApp({ loaded, store, auth: { mode: "token", token: new ApiKey(TOKEN), source: "config" }, log: createLogger("test") });
  const server = serveGateway(app.gateway, { hostname: "127.0.0.1", port: 0 });
  open.push({ app, store, server });
  return { app, server };
}

const call = (url: string, token: string) =>
  fetch(`${url}/rpc`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "health", params: {} }) });

test("maxAttempts and lockoutMs reach the gateway: failures after maxAttempts are answered 429", async () => {
  const { app, server } = await start({ maxAttempts: 2, lockoutMs: 60_000 });
  expect(app.gateway.limiter.opts.freeFailures).toBe(2);
  expect(app.gateway.limiter.opts.maxDelayMs).toBe(60_000);
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await call(server.url, "wrong-" + "x".repeat(32))).status);
  expect(statuses.slice(0, 3)).toEqual([401, 401, 401]); // two free, the third starts the block
  expect(statuses).toContain(429); // (the block doubles per failure, so a stalled machine cannot outwait all of them)
});

test("without the key the defaults stay: the same three failures do not block the right token", async () => {
  const { server } = await start();
  for (let i = 0; i < 3; i++) expect((await call(server.url, "wrong-" + "x".repeat(32))).status).toBe(401);
  expect((await call(server.url, TOKEN)).status).toBe(200);
});

test("the mapping: windowMs never forgets a source before its lockout ends; our own bounds pass through; exemptLoopback only warns", () => {
  const warnings: string[] = [];
  const log = { warn: (m: string) => warnings.push(m) } as unknown as Logger;
  const { loaded } = configWith({ maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: true, maxEntries: 500, globalFailures: 20, globalWindowMs: 30_000 });
  expect(authRateLimit(loaded.config, log)).toEqual({ freeFailures: 10, maxDelayMs: 300_000, forgetAfterMs: 300_000, maxEntries: 500, globalFailures: 20, globalWindowMs: 30_000 });
  expect(warnings.join("\n")).toContain("exemptLoopback is ignored");
  expect(authRateLimit(configWith({ windowMs: 3_600_000 }).loaded.config).forgetAfterMs).toBe(3_600_000);
  expect(authRateLimit(configWith({ windowMs: 1_000 }).loaded.config).forgetAfterMs).toBe(DEFAULT_RATE_LIMIT.maxDelayMs);
  expect(authRateLimit(configWith().loaded.config)).toEqual({});
});

test("a bad value is refused at load with the key named", () => {
  expect(() => configWith({ maxAttempts: 0 })).toThrow(/gateway\.auth\.rateLimit\.maxAttempts/);
});
