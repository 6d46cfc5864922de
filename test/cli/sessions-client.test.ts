// ops/gateway-client.ts against a real HTTP server on 127.0.0.1:0 standing in for the gateway
// (the lock file names this live process): how "up" is decided, where the token comes from, and
// how the gateway's JSON-RPC errors come back as named errors.
import { afterAll, beforeEach, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { ConfigSchema, type Config } from "../../src/config/schema.ts";
import { gatewayLockPath, gatewayTokenPath } from "../../src/config/paths.ts";
import { NotFoundError, UnauthorizedError } from "../../src/core/errors.ts";
import { GatewayCallError, callGateway, findGateway } from "../../src/ops/gateway-client.ts";
import { dirname } from "node:path";

const seen: { auth: string | null; body: any }[] = [];
let reply: (body: any) => Response = (b) => Response.json({ jsonrpc: "2.0", id: b.id, result: { echo: b.method } });
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const url = new URL(req.url);
    if (url.pathname === "/healthz") return Response.json({ ok: true });
    const body = await req.json();
    seen.push({ auth: req.headers.get("authorization"), body });
    return reply(body);
  },
});
afterAll(() => {
  server.stop(true);
  // test files share this process and its state dir: leave no lock naming this live pid behind
  rmSync(gatewayLockPath(), { force: true });
  rmSync(gatewayTokenPath(), { force: true });
});

const config = (gateway: Record<string, unknown> = {}): Config => ConfigSchema.parse({ gateway: { port: server.port, ...gateway } });
const lock = (pid: number) => {
  mkdirSync(dirname(gatewayLockPath()), { recursive: true });
  writeFileSync(gatewayLockPath(), `${pid}\n`);
};

beforeEach(() => {
  seen.length = 0;
  reply = (b) => Response.json({ jsonrpc: "2.0", id: b.id, result: { echo: b.method } });
  rmSync(gatewayLockPath(), { force: true });
  rmSync(gatewayTokenPath(), { force: true });
});

test("no lock: not reachable, even though something answers on the port", async () => {
  const r = await callGateway("status", {}, { config: config({ auth: { token: "t".repeat(40) } }) });
  expect(r).toEqual({ reachable: false, running: false, reason: "no gateway is running for this state dir" });
  expect(seen).toHaveLength(0);
});

test("a lock whose pid is gone is no gateway", async () => {
  const dead = Bun.spawnSync(["true"]).pid;
  lock(dead);
  expect((await findGateway({ config: config() })).found).toBe(false);
});

test("lock + health: the call goes out with the configured token as a Bearer header", async () => {
  lock(process.pid);
  const r = await callGateway("sessions.list", { limit: 2 }, { config: config({ auth: { token: "cfg-token-" + "c".repeat(30) } }) });
  expect(r).toEqual({ reachable: true, url: `http://127.0.0.1:${server.port}`, result: { echo: "sessions.list" } });
  expect(seen[0]).toEqual({ auth: `Bearer cfg-token-${"c".repeat(30)}`, body: { jsonrpc: "2.0", id: 1, method: "sessions.list", params: { limit: 2 } } });
});

test("without a configured token the token file is used; mode none sends none; password mode sends the password", async () => {
  lock(process.pid);
  mkdirSync(dirname(gatewayTokenPath()), { recursive: true });
  writeFileSync(gatewayTokenPath(), "file-token-" + "f".repeat(30) + "\n", { mode: 0o600 });
  await callGateway("status", {}, { config: config() });
  await callGateway("status", {}, { config: config({ auth: { mode: "none" } }) });
  await callGateway("status", {}, { config: config({ auth: { mode: "password", password: "hunter2-long-password" } }) });
  expect(seen.map((s) => s.auth)).toEqual([`Bearer file-token-${"f".repeat(30)}`, null, "Bearer hunter2-long-password"]);
});

test("no token anywhere: a clear UnauthorizedError naming where to put one", async () => {
  lock(process.pid);
  const err = await callGateway("status", {}, { config: config() }).catch((e) => e);
  expect(err).toBeInstanceOf(UnauthorizedError);
  expect(err.message).toContain("OPENCLAW_GATEWAY_TOKEN");
  expect(err.message).toContain(gatewayTokenPath());
});

test("JSON-RPC errors come back as the named class; unknown types as GatewayCallError; a token is never in the message", async () => {
  lock(process.pid);
  const cfg = config({ auth: { token: "secret-token-" + "s".repeat(30) } });
  reply = (b) => Response.json({ jsonrpc: "2.0", id: b.id, error: { code: -32003, message: "no session x", data: { type: "NotFoundError" } } });
  const nf = await callGateway("sessions.get", {}, { config: cfg }).catch((e) => e);
  expect(nf).toBeInstanceOf(NotFoundError);
  expect(nf.message).toBe("no session x");
  reply = (b) => Response.json({ jsonrpc: "2.0", id: b.id, error: { code: -32099, message: "odd", data: { type: "SomethingNew" } } });
  expect(await callGateway("x", {}, { config: cfg }).catch((e) => e)).toBeInstanceOf(GatewayCallError);
  reply = () => new Response("nope", { status: 401 });
  const denied = await callGateway("x", {}, { config: cfg }).catch((e) => e);
  expect(denied).toBeInstanceOf(UnauthorizedError);
  expect(denied.message).not.toContain("s".repeat(30));
  reply = () => new Response("<html>", { status: 502 });
  const junk = await callGateway("x", {}, { config: cfg }).catch((e) => e);
  expect(junk).toBeInstanceOf(GatewayCallError);
  expect(junk.message).toContain("HTTP 502");
});

test("a live lock but nothing on the port: running, not reachable, with the reason", async () => {
  lock(process.pid);
  const idle = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = idle.port;
  idle.stop(true);
  const r = await callGateway("status", {}, { config: ConfigSchema.parse({ gateway: { port } }) });
  expect(r.reachable).toBe(false);
  expect(r).toMatchObject({ running: true });
  if (!r.reachable) expect(r.reason).toContain(`a gateway (pid ${process.pid}) holds the lock but does not answer on http://127.0.0.1:${port}/healthz`);
});
