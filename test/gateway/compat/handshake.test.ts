import { afterEach, expect, test } from "bun:test";
import { listen, makeHarness, TOKEN, WsClient, type Harness } from "../helpers.ts";
import type { RunningServer } from "../../../src/gateway/server.ts";
import { ocConnect, OcClient } from "./oc-client.ts";

let h: Harness | undefined;
let srv: RunningServer | undefined;
afterEach(async () => {
  await srv?.stop(true);
  await h?.close();
  h = srv = undefined;
});

function start(deps: Parameters<typeof makeHarness>[0] = {}): string {
  h = makeHarness(deps);
  srv = listen(h);
  return `ws://127.0.0.1:${srv.port}/`;
}

test("the server greets a socket on / with connect.challenge {nonce, ts} before any client frame", async () => {
  const c = new OcClient(start({ deps: { openclaw: { now: () => 1_700_000_000_000 } } }));
  const ch = await c.challenge();
  expect(ch.ts).toBe(1_700_000_000_000);
  expect(ch.nonce).toMatch(/^[A-Za-z0-9_-]{32}$/);
  c.close();
});

test("connect with the token answers hello-ok (protocol 4, server, features, snapshot, auth, policy)", async () => {
  const c = await ocConnect(start({ config: { gateway: { limits: { maxFrameBytes: 1_048_576 } } } }));
  const res = await c.connect({ token: TOKEN });
  expect(res.ok).toBe(true);
  const p = res.payload;
  expect(p.type).toBe("hello-ok");
  expect(p.protocol).toBe(4);
  expect(p.server.version).toBe("test");
  expect(p.server.connId).toMatch(/^con_/);
  expect(p.features.methods).toContain("chat.send");
  expect(p.features.events).toContain("chat");
  expect(p.snapshot.presence.map((e: any) => e.reason)).toEqual(["self", "connect"]);
  expect(p.snapshot.stateVersion.health).toBe(0);
  expect(p.auth).toEqual({ role: "operator", scopes: ["operator.read", "operator.write", "operator.admin"] });
  expect(p.policy).toMatchObject({ maxPayload: 1_048_576, tickIntervalMs: 15_000 });
  c.close();
});

test("auth.password is checked like the token; a v3-only client gets protocol 3", async () => {
  const c = await ocConnect(start());
  const res = await c.request("connect", { minProtocol: 3, maxProtocol: 3, client: { id: "cli", version: "1", platform: "linux", mode: "cli" }, auth: { password: TOKEN } });
  expect(res.ok).toBe(true);
  expect(res.payload.protocol).toBe(3);
  c.close();
});

test("a protocol range outside 3-4 is refused with a clear error and the socket closes", async () => {
  const c = await ocConnect(start());
  const res = await c.request("connect", { minProtocol: 5, maxProtocol: 6, client: { id: "cli", version: "1", platform: "linux", mode: "cli" }, auth: { token: TOKEN } });
  expect(res.ok).toBe(false);
  expect(res.error.code).toBe("INVALID_REQUEST");
  expect(res.error.message).toContain("protocol 3-4");
  expect(res.error.details.code).toBe("PROTOCOL_MISMATCH");
  expect((await c.closedWith()).code).toBe(1008);
});

test("a wrong token is refused (UNAUTHORIZED, 1008) and never echoed; repeated failures are rate limited", async () => {
  const url = start({ deps: { rateLimit: { freeFailures: 1, baseDelayMs: 60_000, maxDelayMs: 60_000 } } });
  for (let i = 0; i < 2; i++) {
    const c = await ocConnect(url);
    const res = await c.connect({ token: "wrong-token-secret-value" });
    expect(res.error.code).toBe("UNAUTHORIZED");
    expect(JSON.stringify(res)).not.toContain("wrong-token-secret-value");
    expect((await c.closedWith()).code).toBe(1008);
  }
  const c = await ocConnect(url);
  const res = await c.connect({ token: TOKEN });
  expect(res.ok).toBe(false);
  expect(res.error.code).toBe("RATE_LIMITED");
  expect(res.error.retryable).toBe(true);
  expect((await c.closedWith()).reason).toBe("rate limited");
});

test("the handshake times out (injected timeout): a socket that never connects is closed 1008", async () => {
  const c = await ocConnect(start({ deps: { openclaw: { handshakeTimeoutMs: 50 } } }));
  expect(await c.closedWith()).toEqual({ code: 1008, reason: "authentication timeout" });
});

test("a pre-auth frame over 64 KiB is refused with 1009 before it is parsed", async () => {
  const c = await ocConnect(start());
  c.ws.send(JSON.stringify({ type: "req", id: "1", method: "connect", params: { pad: "x".repeat(70_000) } }));
  expect((await c.closedWith()).code).toBe(1009);
});

test("tick events keep the socket alive after hello-ok (injected interval)", async () => {
  const c = await ocConnect(start({ deps: { openclaw: { tickIntervalMs: 20, now: () => 42 } } }));
  await c.connect({ token: TOKEN });
  const ticks = await c.until(() => (c.events("tick").length >= 2 ? c.events("tick") : undefined), "two tick events");
  expect(ticks[0]).toEqual({ ts: 42 });
  c.close();
});

test("JSON-RPC clients are unaffected: /ws gets no challenge, and first-frame JSON-RPC auth still works", async () => {
  const url = start();
  const rpc = await WsClient.connect(url.replace(/\/$/, "/ws"));
  const ok = await rpc.call("auth", { token: TOKEN });
  expect(ok.result).toEqual({ ok: true });
  const st = await rpc.call("status");
  expect(st.result.version).toBe("test");
  expect(rpc.notifications).toEqual([]);
  rpc.close();
});

test("an OpenClaw client may also connect on /ws (no challenge there) and reconnect after a close", async () => {
  const url = start();
  for (let i = 0; i < 2; i++) {
    const c = new OcClient(url.replace(/\/$/, "/ws"));
    await c.opened;
    const res = await c.connect({ token: TOKEN });
    expect(res.payload.type).toBe("hello-ok");
    expect(c.events("connect.challenge")).toEqual([]);
    c.close();
    await c.closedWith();
  }
});

test("when the gateway begins to stop, OpenClaw clients get a shutdown event; JSON-RPC clients get nothing new", async () => {
  const url = start();
  const c = await ocConnect(url);
  await c.connect({ token: TOKEN });
  const pending = await ocConnect(url); // not yet connected: nothing to tell
  const rpc = await WsClient.connect(url.replace(/\/$/, "/ws"), { token: TOKEN });
  h!.gw.announceShutdown("SIGTERM");
  const ev = await c.until(() => c.events("shutdown")[0], "the shutdown event");
  expect(ev).toEqual({ reason: "SIGTERM" });
  expect((await rpc.call("status")).result.version).toBe("test");
  expect(rpc.notifications).toEqual([]);
  expect(pending.events("shutdown")).toEqual([]);
  c.close();
  pending.close();
  rpc.close();
});
