// The session cookie on the /ws upgrade: it authenticates (after the Origin check); a session that
// has ended (logout, expiry) cannot upgrade, and its open sockets close with 1008.
import { afterAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { listen, makeHarness, TOKEN, WsClient } from "./helpers.ts";

const clock = { t: 1_700_000_000_000 };
const h = makeHarness({ deps: { dashboardAuth: { now: () => clock.t }, authTimeoutMs: 5_000 } });
const srv = listen(h);
const base = `http://127.0.0.1:${srv.port}`;
const wsUrl = `ws://127.0.0.1:${srv.port}/ws`;
afterAll(async () => {
  await srv.stop(true);
  await h.close();
});

async function login(): Promise<string> {
  const res = await fetch(`${base}/auth/login`, { method: "POST", headers: { origin: base, "content-type": "application/json" }, body: JSON.stringify({ token: TOKEN }) });
  expect(res.status).toBe(200);
  return /openclaw_session=([^;]*)/.exec(res.headers.get("set-cookie")!)![1]!;
}

const withCookie = (cookie: string, origin = base) => ({ headers: { cookie: `theme=dark; openclaw_session=${cookie}`, origin } });

/** The upgrade's HTTP status, for refusals (a WebSocket client only sees "error"). */
async function upgradeStatus(headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${base}/ws`, { headers: { upgrade: "websocket", connection: "upgrade", "sec-websocket-key": randomBytes(16).toString("base64"), "sec-websocket-version": "13", ...headers } });
  return res.status;
}

describe("the session cookie on /ws", () => {
  test("authenticates the upgrade: methods work with no auth frame", async () => {
    const c = await WsClient.connect(wsUrl, withCookie(await login()));
    expect((await c.call("status")).result.version).toBe("test");
    expect((await c.call("config.get")).result.config).toBeDefined(); // the operator: admin scope
    c.close();
  });
  test("a valid cookie with a foreign Origin is refused (403)", async () => {
    const cookie = await login();
    expect(await upgradeStatus({ cookie: `openclaw_session=${cookie}`, origin: "https://evil.example" })).toBe(403);
    expect(await upgradeStatus({ cookie: `openclaw_session=${cookie}`, origin: base })).toBe(101);
  });
  test("an unknown cookie is refused (401)", async () => {
    expect(await upgradeStatus({ cookie: `openclaw_session=${"A".repeat(43)}`, origin: base })).toBe(401);
  });
  test("logout closes the session's open sockets with 1008, and the cookie cannot upgrade again", async () => {
    const cookie = await login();
    const other = await WsClient.connect(wsUrl, withCookie(await login()));
    const a = await WsClient.connect(wsUrl, withCookie(cookie));
    const b = await WsClient.connect(wsUrl, withCookie(cookie));
    const out = await fetch(`${base}/auth/logout`, { method: "POST", headers: { origin: base, "content-type": "application/json", cookie: `openclaw_session=${cookie}` }, body: "{}" });
    expect(out.status).toBe(204);
    expect((await a.closedP).code).toBe(1008);
    expect((await b.closedP).code).toBe(1008);
    expect(await upgradeStatus({ cookie: `openclaw_session=${cookie}`, origin: base })).toBe(401);
    expect((await other.call("status")).result.version).toBe("test"); // another session is untouched
    other.close();
  });
  test("an expired session: the next frame closes the socket (1008), the upgrade is refused", async () => {
    const cookie = await login();
    const c = await WsClient.connect(wsUrl, withCookie(cookie));
    expect((await c.call("status")).result).toBeDefined();
    clock.t += 12 * 3_600_000;
    c.sendRaw(JSON.stringify({ jsonrpc: "2.0", method: "status", id: 99 }));
    expect((await c.closedP).code).toBe(1008);
    expect(await upgradeStatus({ cookie: `openclaw_session=${cookie}`, origin: base })).toBe(401);
  });
  test("an expired session's silent sockets close on the sweep", async () => {
    const cookie = await login();
    const c = await WsClient.connect(wsUrl, withCookie(cookie));
    clock.t += 24 * 3_600_000;
    h.gw.dashboard.sweep();
    expect((await c.closedP).code).toBe(1008);
  });
  test("a session socket cannot mint a login code (-32002); the token can", async () => {
    const c = await WsClient.connect(wsUrl, withCookie(await login()));
    const r = await c.call("dashboard.code", {});
    expect(r.error.code).toBe(-32002);
    expect(r.error.message).toContain("openclaw dashboard");
    c.close();
    const t = await WsClient.connect(wsUrl, { token: TOKEN });
    expect((await t.call("dashboard.code", {})).result.code).toMatch(/^[A-Za-z0-9_-]{22}$/);
    t.close();
  });
  test("a cookie in the URL query is not a credential", async () => {
    const cookie = await login();
    const c = await WsClient.connect(`${wsUrl}?openclaw_session=${cookie}&token=${TOKEN}&code=x`, { headers: { origin: base } });
    c.sendRaw(JSON.stringify({ jsonrpc: "2.0", method: "status", id: 1 }));
    expect((await c.closedP).code).toBe(1008);
    h.gw.limiter.success("127.0.0.1");
  });
});
