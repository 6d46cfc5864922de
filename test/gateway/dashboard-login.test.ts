// The dashboard login over a real socket: dashboard.code → POST /auth/exchange → the cookie, the
// token login, logout, GET /auth/session, and what a cross-site request or a URL query cannot do.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { configureLogging, onLog, type LogRecord } from "../../src/core/log.ts";
import { listen, makeHarness, TOKEN } from "./helpers.ts";

const clock = { t: 1_700_000_000_000 };
const h = makeHarness({ deps: { dashboardAuth: { now: () => clock.t } } });
const srv = listen(h);
const base = `http://127.0.0.1:${srv.port}`;
const own = base;
afterAll(async () => {
  await srv.stop(true);
  await h.close();
});
beforeEach(() => h.gw.limiter.success("127.0.0.1"));

async function mint(): Promise<{ code: string; expiresAt: number; url: string }> {
  const r = await fetch(`${base}/rpc`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "dashboard.code", params: {} }),
  });
  return (await r.json()).result;
}

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, { method: "POST", headers: { origin: own, "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
}

const cookieOf = (res: Response): string => /openclaw_session=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")![1]!;
const session = (cookie: string, headers: Record<string, string> = {}) => fetch(`${base}/auth/session`, { headers: { cookie: `openclaw_session=${cookie}`, ...headers } });

describe("dashboard.code", () => {
  test("a 128-bit code, 60 s, and a URL that carries it only in the fragment", async () => {
    const r = await mint();
    expect(r.code).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(r.expiresAt).toBe(clock.t + 60_000);
    expect(r.url).toBe(`http://127.0.0.1:${srv.port}/#/login?code=${r.code}`);
    expect(new URL(r.url).search).toBe("");
  });
  test("needs the token", async () => {
    const r = await fetch(`${base}/rpc`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "dashboard.code" }) });
    expect(r.status).toBe(401);
  });
});

describe("POST /auth/exchange", () => {
  test("sets an HttpOnly, SameSite=Strict, Path=/ cookie (no Secure over http); the code is single use", async () => {
    const { code } = await mint();
    const res = await post("/auth/exchange", { code });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.ok).toBe(true);
    expect(body.expiresAt).toBe(clock.t + 12 * 3_600_000);
    const set = res.headers.get("set-cookie")!;
    expect(set).toMatch(/^openclaw_session=[A-Za-z0-9_-]{43}; /);
    expect(set).toContain("HttpOnly");
    expect(set).toContain("SameSite=Strict");
    expect(set).toContain("Path=/");
    expect(set).not.toContain("Secure");
    expect(set).not.toMatch(/Domain=/i);

    const again = await post("/auth/exchange", { code });
    expect(again.status).toBe(401);
    expect((await again.json()).error).toContain("openclaw dashboard");
  });
  test("Secure when the request came over https (a TLS proxy's X-Forwarded-Proto)", async () => {
    const { code } = await mint();
    const res = await post("/auth/exchange", { code }, { "x-forwarded-proto": "https" });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toContain("; Secure");
  });
  test("an expired code is refused", async () => {
    const { code } = await mint();
    clock.t += 60_000;
    const res = await post("/auth/exchange", { code });
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
  });
  test("wrong codes are rate limited, and then even a right one gets 429", async () => {
    const { code } = await mint(); // before: a limited source cannot mint either (the token gets 429 too)
    let limited: Response | null = null;
    for (let i = 0; i < 10 && !limited; i++) {
      const r = await post("/auth/exchange", { code: `wrong-${i}` });
      if (r.status === 429) limited = r;
      else expect(r.status).toBe(401);
    }
    expect(limited).not.toBeNull();
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await post("/auth/exchange", { code })).status).toBe(429);
    h.gw.limiter.success("127.0.0.1");
    expect((await post("/auth/exchange", { code })).status).toBe(200); // not consumed while limited
  });
  test("a body over 4 KiB: 413", async () => {
    const r = await post("/auth/exchange", { code: "x".repeat(5000) });
    expect(r.status).toBe(413);
  });
  test("a bad body: 400 naming the expected shape", async () => {
    for (const body of ["{", "[]", { code: 5 }, { code: "x", extra: 1 }, ""]) {
      const r = await post("/auth/exchange", body);
      expect(r.status).toBe(400);
      expect((await r.json()).error).toMatch(/JSON|code/);
    }
  });
});

describe("what a cross-site request cannot do", () => {
  test("a foreign Origin is refused (403) on every /auth route, a valid code included, which stays unused", async () => {
    const { code } = await mint();
    const evil = { origin: "https://evil.example" };
    expect((await post("/auth/exchange", { code }, evil)).status).toBe(403);
    expect((await post("/auth/login", { token: TOKEN }, evil)).status).toBe(403);
    expect((await post("/auth/logout", {}, evil)).status).toBe(403);
    expect((await post("/auth/exchange", { code })).status).toBe(200);
  });
  test("a form post (or text/plain) is refused with 415 and logs nobody in or out", async () => {
    const { code } = await mint();
    for (const type of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", ""]) {
      const headers = { "content-type": type };
      expect((await post("/auth/exchange", `code=${code}`, headers)).status).toBe(415);
      expect((await post("/auth/login", `token=${TOKEN}`, headers)).status).toBe(415);
    }
    const login = await post("/auth/exchange", { code }); // still unused
    const cookie = cookieOf(login);
    const out = await post("/auth/logout", "", { "content-type": "text/plain", cookie: `openclaw_session=${cookie}` });
    expect(out.status).toBe(415);
    expect((await session(cookie)).status).toBe(200);
  });
  test("a code or token in the URL query is never accepted", async () => {
    const { code } = await mint();
    expect((await post(`/auth/exchange?code=${code}`, {})).status).toBe(400);
    expect((await post(`/auth/login?token=${TOKEN}`, {})).status).toBe(400);
    expect((await fetch(`${base}/auth/session?token=${TOKEN}&code=${code}`)).status).toBe(401);
    expect((await post("/auth/exchange", { code })).status).toBe(200); // the query did not consume it
  });
});

describe("token login, session, logout", () => {
  test("the gateway token typed into the form logs in; a wrong one is 401", async () => {
    const bad = await post("/auth/login", { token: "not-the-token" });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("set-cookie")).toBeNull();
    const ok = await post("/auth/login", { token: TOKEN });
    expect(ok.status).toBe(200);
    const s = await session(cookieOf(ok));
    expect(s.status).toBe(200);
    const body = await s.json();
    expect(body.authenticated).toBe(true);
    expect([...body.scopes].sort()).toEqual(["admin", "read", "write"]);
    expect(body.expiresAt).toBeGreaterThan(clock.t);
  });
  test("wrong tokens on the login form are rate limited like any token check", async () => {
    let limited: Response | null = null;
    for (let i = 0; i < 10 && !limited; i++) {
      const r = await post("/auth/login", { token: `wrong-${i}` });
      if (r.status === 429) limited = r;
      else expect(r.status).toBe(401);
    }
    expect(limited).not.toBeNull();
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await post("/auth/login", { token: TOKEN })).status).toBe(429);
    h.gw.limiter.success("127.0.0.1");
    expect((await post("/auth/login", { token: TOKEN })).status).toBe(200);
  });
  test("no cookie or an unknown one: 401 {authenticated:false}; the unknown one is cleared", async () => {
    const none = await fetch(`${base}/auth/session`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ authenticated: false });
    const stale = await session("A".repeat(43));
    expect(stale.status).toBe(401);
    expect(stale.headers.get("set-cookie")).toMatch(/openclaw_session=; Max-Age=0/);
  });
  test("logout revokes the session server-side and clears the cookie (204)", async () => {
    const cookie = cookieOf(await post("/auth/login", { token: TOKEN }));
    const out = await post("/auth/logout", {}, { cookie: `openclaw_session=${cookie}` });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/openclaw_session=; Max-Age=0.*HttpOnly/);
    expect((await session(cookie)).status).toBe(401);
  });
  test("an idle session expires after 12 h", async () => {
    const cookie = cookieOf(await post("/auth/login", { token: TOKEN }));
    clock.t += 12 * 3_600_000;
    expect((await session(cookie)).status).toBe(401);
  });
  test("/auth/session asked for as HTML is still the API, not the page's index.html", async () => {
    const r = await fetch(`${base}/auth/session`, { headers: { accept: "text/html" } });
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ authenticated: false });
  });
  test("the cookie is not a bearer token for the API", async () => {
    const cookie = cookieOf(await post("/auth/login", { token: TOKEN }));
    const r = await fetch(`${base}/metrics`, { headers: { cookie: `openclaw_session=${cookie}` } });
    expect(r.status).toBe(401);
  });
});

test("neither the code nor the session value is ever logged, even at debug", async () => {
  const records: LogRecord[] = [];
  const off = onLog((r) => records.push(r));
  configureLogging({ level: "debug" });
  try {
    const { code } = await mint();
    const res = await post("/auth/exchange", { code });
    const cookie = cookieOf(res);
    await session(cookie);
    await post("/auth/logout", {}, { cookie: `openclaw_session=${cookie}` });
    const login = cookieOf(await post("/auth/login", { token: TOKEN }));
    const all = JSON.stringify(records);
    expect(records.some((r) => r.msg === "dashboard login")).toBe(true);
    expect(all).not.toContain(code);
    expect(all).not.toContain(cookie);
    expect(all).not.toContain(login);
    expect(all).not.toContain(TOKEN);
  } finally {
    configureLogging({ level: "info" });
    off();
  }
});
