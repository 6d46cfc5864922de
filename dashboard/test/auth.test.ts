import { describe, expect, test } from "bun:test";
import { codeFromHash, createAuth } from "../src/composables/auth.ts";
import { authApi } from "../src/rpc/auth.ts";

type Call = { path: string; method: string; body?: unknown; contentType?: string | null };

function fakeServer(routes: Record<string, (body: unknown) => Response>) {
  const calls: Call[] = [];
  const fetcher = async (path: string, init?: RequestInit) => {
    const method = init?.method ?? "GET";
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ path, method, body, contentType: new Headers(init?.headers).get("content-type") });
    const h = routes[`${method} ${path}`];
    return h ? h(body) : new Response("{}", { status: 404 });
  };
  return { calls, api: authApi(fetcher) };
}

function fakeWindow(hash: string) {
  const replaced: string[] = [];
  const win = {
    location: { hash, pathname: "/" } as Location,
    history: { replaceState: (_s: unknown, _t: string, url: string) => { replaced.push(url); win.location.hash = url.slice(url.indexOf("#")); } } as History,
  };
  return { win, replaced };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const CODE = "Qm9vdHN0cmFwQ29kZTEyMw";

describe("login", () => {
  test("a code in the fragment is removed from the address and exchanged once", async () => {
    const { calls, api } = fakeServer({ "POST /auth/exchange": () => json(200, { ok: true, expiresAt: 1 }) });
    const { win, replaced } = fakeWindow(`#/login?code=${CODE}`);
    const auth = createAuth(api, win);
    expect(await auth.init()).toBe("in");
    expect(replaced).toEqual(["/#/login"]);
    expect(win.location.hash).not.toContain(CODE);
    expect(calls).toEqual([{ path: "/auth/exchange", method: "POST", body: { code: CODE }, contentType: "application/json" }]);
  });

  test("a used or expired code: the server's message is shown, and the page asks for the session", async () => {
    const { api } = fakeServer({
      "POST /auth/exchange": () => json(401, { error: "this code is not valid (used or expired): run `openclaw dashboard` again" }),
      "GET /auth/session": () => json(401, { authenticated: false }),
    });
    const { win } = fakeWindow(`#/login?code=${CODE}`);
    const auth = createAuth(api, win);
    expect(await auth.init()).toBe("out");
    expect(auth.error.value).toContain("openclaw dashboard");
    expect(win.location.hash).toBe("#/login");
  });

  test("no code: the cookie session decides (a reload stays logged in)", async () => {
    const { api } = fakeServer({ "GET /auth/session": () => json(200, { authenticated: true, expiresAt: 1, scopes: ["read"] }) });
    const auth = createAuth(api, fakeWindow("#/chat").win);
    expect(await auth.init()).toBe("in");
  });

  test("the login form posts the token as JSON and keeps nothing; a wrong one shows the error", async () => {
    const { calls, api } = fakeServer({ "POST /auth/login": (b) => ((b as { token: string }).token === "right" ? json(200, { ok: true }) : json(401, { error: "wrong token" })) });
    const auth = createAuth(api, fakeWindow("#/login").win);
    expect(await auth.login("nope")).toBe(false);
    expect(auth.error.value).toBe("wrong token");
    expect(await auth.login("right")).toBe(true);
    expect(auth.status.value).toBe("in");
    expect(calls.every((c) => c.contentType === "application/json" && !c.path.includes("right"))).toBe(true);
    expect(sessionStorage.length + localStorage.length).toBe(0);
  });

  test("logout posts /auth/logout and ends the state even if the server is gone", async () => {
    const { calls, api } = fakeServer({ "POST /auth/logout": () => { throw new Error("connection refused"); } });
    const auth = createAuth(api, fakeWindow("#/chat").win);
    auth.status.value = "in";
    await auth.logout().catch(() => {});
    expect(auth.status.value as string).toBe("out");
    expect(calls[0]).toMatchObject({ path: "/auth/logout", method: "POST" });
  });

  test("codeFromHash reads only a well-formed code of the login route", () => {
    expect(codeFromHash(`#/login?code=${CODE}`)).toBe(CODE);
    expect(codeFromHash(`#/chat?code=${CODE}`)).toBeNull();
    expect(codeFromHash("#/login?code=<script>")).toBeNull();
    expect(codeFromHash("#/login")).toBeNull();
  });
});

describe("a login link opened in a tab that already shows the login page", () => {
  test("only the fragment changes (no reload): consumeHash exchanges the new code", async () => {
    const { calls, api } = fakeServer({
      "GET /auth/session": () => json(401, { authenticated: false }),
      "POST /auth/exchange": () => json(200, { ok: true, expiresAt: 1 }),
    });
    const { win, replaced } = fakeWindow("#/login");
    const auth = createAuth(api, win);
    expect(await auth.init()).toBe("out");
    win.location.hash = `#/login?code=${CODE}`; // the link, opened in the same tab
    expect(await auth.consumeHash()).toBe(true);
    expect(auth.status.value as string).toBe("in");
    expect(replaced).toEqual(["/#/login"]);
    expect(calls.filter((c) => c.path === "/auth/exchange")).toHaveLength(1);
    expect(await auth.consumeHash()).toBe(false); // the code is gone from the address
  });
});
