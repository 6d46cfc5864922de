// e2e: the dashboard in headless Chromium against the compiled binary (fake Anthropic API, fake Bot
// API): log in with the one-time code `openclaw dashboard` prints, chat (a streamed reply, a tool
// card, an abort), model HTML that must run nothing, reload, log out — and throughout, the page
// talks to its own origin only and reports no CSP violation.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { closeBrowser, launchBrowser, liveViolations, newContext, watchPage, type PageWatch } from "./browser.ts";
import { probeCookie } from "./dashboard-cookie.ts";
import { byId, connected, loginWithCode, messages, replyContaining, sendChat, textOf, until, visible } from "./dashboard-page.ts";
import { dashboardCode, GATEWAY_TOKEN, reply, startDashboardRig, type DashboardRig } from "./dashboard-rig.ts";

let rig: DashboardRig;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let watch: PageWatch;

beforeAll(async () => {
  rig = await startDashboardRig();
  browser = await launchBrowser();
  ctx = await newContext(browser);
  ctx.setDefaultTimeout(20_000);
  page = await ctx.newPage();
  watch = await watchPage(page, rig.origin);
}, 300_000);

afterAll(async () => {
  await closeBrowser(browser);
  await rig?.stop();
});

const SESSION_COOKIE = "openclaw_session";

describe("dashboard: login", () => {
  test("the page and its assets carry the security headers; hashed files are immutable, precompressed", async () => {
    const res = await fetch(`${rig.origin}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const js = /<script[^>]*\bsrc="([^"]+\.js)"/.exec(html)?.[1];
    expect(js).toBeDefined();
    const asset = await fetch(new URL(js!, rig.origin), { headers: { "accept-encoding": "gzip" } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(asset.headers.get("content-encoding")).toBe("gzip");
    // a client route opened directly is the app (SPA fallback), not a 404
    const route = await fetch(`${rig.origin}/chat`, { headers: { accept: "text/html" } });
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(html);
  });

  test("the one-time code from `openclaw dashboard` logs in: HttpOnly SameSite=Strict cookie, no token in storage", async () => {
    const code = await dashboardCode(rig);
    expect(code.url).toStartWith(`${rig.origin}/#/login?code=`); // the code rides in the fragment, never to the server
    const nav = await page.goto(code.url);
    expect(nav?.headers()["content-security-policy"]).toContain("connect-src 'self'");
    await visible(page, "chat-input");
    await connected(page);
    const cookie = (await ctx.cookies()).find((c) => c.name === SESSION_COOKIE);
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Strict");
    const stored = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
    expect(stored).not.toContain(GATEWAY_TOKEN);
    expect(stored).not.toContain(cookie!.value);
    expect(stored).not.toContain(code.code);
    // the code travelled to the gateway only in the exchange's body: no request URL carried it
    expect(watch.requests.filter((u) => u.includes(code.code) && !u.includes("#"))).toEqual([]);
  });

  test("a used code does not log in again: the login page says why", async () => {
    const code = await dashboardCode(rig);
    const first = await newContext(browser);
    const second = await newContext(browser);
    try {
      const p1 = await first.newPage();
      await p1.goto(code.url);
      await visible(p1, "chat-input");
      const p2 = await second.newPage();
      await p2.goto(code.url);
      const error = await visible(p2, "login-error");
      expect((await error.textContent()) ?? "").toContain("openclaw dashboard");
      expect(await byId(p2, "chat-input").count()).toBe(0);
      expect((await second.cookies()).some((c) => c.name === SESSION_COOKIE)).toBe(false);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  test("a login link opened in a tab that already shows the login form logs in (a fragment-only navigation)", async () => {
    const other = await newContext(browser);
    try {
      const p = await other.newPage();
      await p.goto(`${rig.origin}/`);
      await visible(p, "login-form");
      await p.goto((await dashboardCode(rig)).url); // same document: only the fragment changes, no reload
      await visible(p, "chat-input");
      await connected(p);
    } finally {
      await other.close();
    }
  });

  test("the login form: a wrong token is refused at the form, the gateway token logs in", async () => {
    const other = await newContext(browser);
    try {
      const p = await other.newPage();
      await p.goto(`${rig.origin}/`);
      await visible(p, "login-form");
      await byId(p, "login-token").fill("not-the-gateway-token-" + "z".repeat(20));
      await byId(p, "login-submit").click();
      const error = await visible(p, "login-error");
      expect(await error.textContent()).not.toContain("not-the-gateway-token");
      await byId(p, "login-token").fill(GATEWAY_TOKEN);
      await byId(p, "login-submit").click();
      await visible(p, "chat-input");
      await connected(p);
      expect(p.url()).not.toContain(GATEWAY_TOKEN);
    } finally {
      await other.close();
    }
  });
});

describe("dashboard: chat", () => {
  test("a reply streams: the page shows a partial text before the final one", async () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ");
    rig.model.enqueue(reply.text(`stream-begin ${words} stream-finish`, { chunkSize: 6, delayMs: 40 }));
    await sendChat(page, "please stream");
    const partial = await until(
      page,
      "a partial assistant text while the reply streams",
      () => {
        if (!document.querySelector('[data-testid="message-streaming"]')) return false;
        const all = document.querySelectorAll('[data-testid="message"][data-role="assistant"]');
        const t = all[all.length - 1]?.textContent ?? "";
        return t.includes("stream-begin") && !t.includes("stream-finish") ? t : false;
      },
      undefined,
    );
    const final = await replyContaining(page, "stream-finish");
    expect(final).toContain(`stream-begin ${words} stream-finish`);
    expect(final.length).toBeGreaterThan(partial.length);
  });

  test("a tool call is a collapsed card that expands to name, input, output, duration and sandbox level", async () => {
    rig.model.enqueue(reply.toolUse("exec", { command: "echo tool-card-output-42" }), reply.text("the tool ran"));
    await sendChat(page, "run a tool");
    await replyContaining(page, "the tool ran");
    const card = byId(page, "tool-card").last();
    expect(await card.evaluate((el) => el.tagName)).toBe("DETAILS");
    expect(await card.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
    await card.locator("summary").click();
    expect(await card.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true);
    expect(await textOf(card, "tool-card-name")).toContain("exec");
    expect(await textOf(card, "tool-card-input")).toContain("echo tool-card-output-42");
    expect(await textOf(card, "tool-card-output")).toContain("tool-card-output-42");
    expect(await textOf(card, "tool-card-duration")).toMatch(/\d/);
    expect(await textOf(card, "tool-card-sandbox")).toContain("standard");
  });

  test("abort stops a streaming reply: the run's outcome is `aborted`, and the next message is answered", async () => {
    rig.model.enqueue(reply.text("this reply never ends", { hold: true }));
    await sendChat(page, "a slow one");
    await visible(page, "message-streaming");
    await (await visible(page, "chat-abort")).click();
    await until(page, "run-outcome `aborted`", () => document.querySelector('[data-testid="run-outcome"]')?.textContent?.trim() === "aborted" || false, undefined);
    await until(page, "the streaming marker to go", () => !document.querySelector('[data-testid="message-streaming"]'), undefined);
    await sendChat(page, "after-abort-echo");
    await replyContaining(page, "after-abort-echo"); // the fake echoes
  });

  const XSS = [
    "xss-begin",
    `<img src=x onerror="window.__pwned='img'">`,
    `<script>window.__pwned='script'</script>`,
    `[link](javascript:window.__pwned='link')`,
    `<svg><script>window.__pwned='svg'</script></svg>`,
    `<iframe src="javascript:parent.__pwned='iframe'"></iframe>`,
    `<a href="#" onclick="window.__pwned='click'">click</a>`,
    "xss-end",
  ].join("\n\n");

  /** The last reply's DOM holds nothing that could run, and nothing ran. */
  async function assertInert(p: Page): Promise<void> {
    const found = await p.evaluate(() => {
      const box = [...document.querySelectorAll('[data-testid="message"][data-role="assistant"]')].at(-1)!;
      const handlers = [...box.querySelectorAll("*")].flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith("on")).map((a) => `${el.tagName}[${a.name}]`));
      const jsLinks = [...box.querySelectorAll("[href],[src]")].filter((el) => /^\s*javascript:/i.test(el.getAttribute("href") ?? el.getAttribute("src") ?? "")).map((el) => el.tagName);
      return { pwned: (window as unknown as { __pwned?: string }).__pwned ?? null, scripts: box.querySelectorAll("script, iframe, object, embed").length, handlers, jsLinks };
    });
    expect(found).toEqual({ pwned: null, scripts: 0, handlers: [], jsLinks: [] });
  }

  test("a model reply carrying <img onerror> and <script> runs nothing (sanitized; the CSP never had to block a live handler)", async () => {
    const seen = watch.csp.length;
    rig.model.enqueue(reply.text(XSS));
    await sendChat(page, "show me html");
    await replyContaining(page, "xss-end");
    await assertInert(page);
    expect(liveViolations(watch.csp.slice(seen))).toEqual([]); // no handler reached an element of the page
  });

  test("the CSP watch sees a handler that does reach the page (so its silence above means something)", async () => {
    const canary = await newContext(browser);
    try {
      const p = await canary.newPage();
      const w = await watchPage(p, rig.origin);
      await p.goto(`${rig.origin}/`);
      await p.evaluate(() => {
        const d = document.createElement("div");
        d.innerHTML = `<img src="/no-such-image" onerror="window.__pwned='canary'">`;
        document.body.appendChild(d);
      });
      await until(p, "the canary's CSP report", () => document.querySelector("img[onerror]") !== null, undefined);
      const deadline = Date.now() + 10_000;
      while (liveViolations(w.csp).length === 0 && Date.now() < deadline) await Bun.sleep(50);
      expect(liveViolations(w.csp).map((v) => [v.directive, v.target])).toEqual([["script-src-attr", "IMG"]]);
      expect(await p.evaluate(() => (window as unknown as { __pwned?: string }).__pwned ?? null)).toBeNull(); // and the CSP blocked it
    } finally {
      await canary.close();
    }
  });

  test("the same reply runs nothing even with the CSP bypassed: the sanitizer alone holds", async () => {
    const bare = await newContext(browser, { bypassCSP: true });
    try {
      const p2 = await bare.newPage();
      await loginWithCode(p2, rig);
      rig.model.enqueue(reply.text(XSS));
      await sendChat(p2, "html without csp");
      await replyContaining(p2, "xss-end");
      await assertInert(p2);
    } finally {
      await bare.close();
    }
  });
});

describe("dashboard: staying and leaving", () => {
  test("a reload keeps the session: the chat comes back connected, no login form", async () => {
    const before = await messages(page, "user");
    await page.reload();
    await visible(page, "chat-input");
    await connected(page);
    expect(await byId(page, "login-form").count()).toBe(0);
    expect(before.length).toBeGreaterThan(0);
  });

  test("logout shows the login form, closes the page's socket, and the old cookie no longer opens /ws", async () => {
    const cookie = (await ctx.cookies()).find((c) => c.name === SESSION_COOKIE);
    expect(cookie).toBeDefined();
    const header = `${SESSION_COOKIE}=${cookie!.value}`;
    const live = await probeCookie(rig.origin, header);
    expect(live.opened && live.status).toBe("ok"); // the cookie alone authenticates /ws before logout
    await byId(page, "logout").click();
    await visible(page, "login-form");
    if (live.opened) {
      const closed = await Promise.race([live.client.closedP, Bun.sleep(10_000).then(() => null)]);
      expect(closed?.code).toBe(1008); // the revoked session's open socket is closed
    }
    const after = await probeCookie(rig.origin, header);
    expect(after.opened && after.status === "ok").toBe(false);
    const session = await fetch(`${rig.origin}/auth/session`, { headers: { cookie: header } });
    expect(session.status).toBe(401);
  });

  test("the page talked to its own origin only, threw nothing, and the CSP blocked nothing live", () => {
    expect(watch.requests.length).toBeGreaterThan(0);
    expect(watch.sockets.length).toBeGreaterThan(0);
    expect(watch.foreign()).toEqual([]);
    expect(liveViolations(watch.csp)).toEqual([]);
    expect(watch.unexpectedErrors()).toEqual([]);
  });
});
