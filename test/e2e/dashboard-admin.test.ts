// e2e: the dashboard's operator pages in headless Chromium against the compiled binary: the live
// log tail, a Telegram pairing approved in the page (the fake Bot API's stranger is answered after),
// a config value saved to the file and a bad one refused at its field, the sessions list and a
// session's timeline, export and delete, and the overview's figures.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import JSON5 from "json5";
import type { Browser, Page } from "playwright-core";
import { closeBrowser, launchBrowser, newContext, watchPage, type PageWatch } from "./browser.ts";
import { byId, loginWithCode, textOf, until, visible } from "./dashboard-page.ts";
import { startDashboardRig, type DashboardRig } from "./dashboard-rig.ts";

let rig: DashboardRig;
let browser: Browser;
let page: Page;
let watch: PageWatch;

const STRANGER = 6161;

beforeAll(async () => {
  rig = await startDashboardRig();
  browser = await launchBrowser();
  const ctx = await newContext(browser);
  ctx.setDefaultTimeout(20_000);
  page = await ctx.newPage();
  watch = await watchPage(page, rig.origin);
  await loginWithCode(page, rig);
}, 300_000);

afterAll(async () => {
  await closeBrowser(browser);
  await rig?.stop();
});

const go = async (nav: string, ready: string) => {
  await byId(page, nav).click();
  await visible(page, ready);
};

/** How many log lines on the page contain `text`. */
const linesWith = (text: string) => page.locator('[data-testid="log-line"]', { hasText: text }).count();

describe("dashboard: logs and pairing", () => {
  test("the log tail shows a new record live, without a reload", async () => {
    await go("nav-logs", "log-line"); // the tail starts with the gateway's recent records
    const before = await linesWith("pairing requested");
    await rig.telegram.waitFor(() => rig.telegram.callsOf("getUpdates").length > 0, 20_000, "the gateway's first getUpdates");
    rig.telegram.dm(STRANGER, "let me in");
    await until(page, "a live `telegram pairing requested` log line", (n) => [...document.querySelectorAll('[data-testid="log-line"]')].filter((e) => e.textContent?.includes("pairing requested")).length > n || false, before);
    const line = page.locator('[data-testid="log-line"]', { hasText: "pairing requested" }).last();
    expect(await line.getAttribute("data-level")).toBe("info");
  });

  test("the level filter and the search narrow the tail", async () => {
    await byId(page, "logs-search").fill("pairing requested");
    await until(page, "only matching lines", () => {
      const lines = [...document.querySelectorAll('[data-testid="log-line"]')];
      return lines.length > 0 && lines.every((e) => e.textContent?.includes("pairing requested"));
    }, undefined);
    await byId(page, "logs-level").selectOption("error");
    await until(page, "no info line under level error", () => document.querySelectorAll('[data-testid="log-line"][data-level="info"]').length === 0, undefined);
    await byId(page, "logs-level").selectOption("info");
    await byId(page, "logs-search").fill("");
    await until(page, "the info lines back", () => document.querySelectorAll('[data-testid="log-line"][data-level="info"]').length > 0, undefined);
  });

  test("a pairing request is approved in the page; the bot then answers that user", async () => {
    await rig.telegram.waitFor(() => rig.telegram.sentTo(STRANGER).length > 0, 20_000, "the pairing reply to the stranger");
    const code = /pairing code: ([A-Z0-9]+)/i.exec(rig.telegram.textsIn(STRANGER)[0] ?? "")?.[1];
    expect(code).toBeDefined();
    await go("nav-channels", "channel-card");
    const card = page.locator('[data-testid="channel-card"][data-channel="telegram"]');
    expect(await textOf(card, "channel-state")).toMatch(/polling|running/);
    const row = page.locator(`[data-testid="pairing-row"][data-code="${code}"]`);
    await row.waitFor({ state: "visible" });
    await byId(row, "pairing-approve").click();
    await row.waitFor({ state: "detached" });
    await until(page, `the allowlist entry ${STRANGER}`, (id) => [...document.querySelectorAll('[data-testid="allowlist-entry"]')].some((e) => e.textContent?.includes(id)) || false, String(STRANGER));
    const sent = rig.telegram.sentTo(STRANGER).length;
    rig.telegram.dm(STRANGER, "hello after approval");
    await rig.telegram.waitFor(() => rig.telegram.textsIn(STRANGER).slice(sent).some((t) => t.includes("hello after approval")), 20_000, "the bot's echo to the approved user");
  });
});

describe("dashboard: config", () => {
  const PATH = "gateway.limits.maxBatch";
  const field = () => page.locator(`[data-testid="config-field"][data-path="${PATH}"]`);
  const input = () => field().locator("input, select").first();

  test("a valid value is saved: the config file changes", async () => {
    await go("nav-config", "config-field");
    await input().fill("40");
    await byId(page, "config-save").click();
    await visible(page, "config-saved");
    expect(JSON5.parse(rig.configText()).gateway.limits.maxBatch).toBe(40);
    expect(await field().locator('[data-testid="config-field-error"]').count()).toBe(0);
  });

  test("a bad value is refused at its field and the file does not change", async () => {
    const before = rig.configText();
    await input().fill("-3");
    await byId(page, "config-save").click();
    const error = field().locator('[data-testid="config-field-error"]');
    await error.waitFor({ state: "visible" });
    expect(((await error.textContent()) ?? "").length).toBeGreaterThan(0);
    expect(rig.configText()).toBe(before);
  });

  test("secrets are masked in the effective config (text and input values)", async () => {
    const shown = await page.evaluate(() => document.body.innerText + [...document.querySelectorAll("input")].map((i) => i.value).join(" "));
    expect(shown).toContain("gateway.limits.maxBatch");
    expect(shown).not.toContain(rig.modelKey);
    expect(shown).not.toContain(rig.gatewayToken);
  });
});

describe("dashboard: sessions and overview", () => {
  test("the sessions list finds the Telegram session; its timeline shows the DM; export gives JSONL", async () => {
    await go("nav-sessions", "session-row");
    await byId(page, "sessions-search").fill(String(STRANGER));
    await until(page, "only the stranger's session", (id) => {
      const rows = [...document.querySelectorAll('[data-testid="session-row"]')];
      return rows.length === 1 && (rows[0]!.textContent?.includes(id) ?? false);
    }, String(STRANGER));
    await byId(page, "session-row").first().click();
    await until(page, "the DM in the timeline", () => [...document.querySelectorAll('[data-testid="timeline-entry"]')].some((e) => e.textContent?.includes("hello after approval")) || false, undefined);
    const [download] = await Promise.all([page.waitForEvent("download"), byId(page, "session-export").click()]);
    const path = await download.path();
    const lines = (await Bun.file(path).text()).trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.map((l) => JSON.parse(l)).some((e) => JSON.stringify(e).includes("hello after approval"))).toBe(true);
  });

  test("delete asks first: cancel keeps the session, confirm removes it", async () => {
    await byId(page, "session-delete").click();
    await visible(page, "confirm-dialog");
    await byId(page, "confirm-cancel").click();
    await byId(page, "confirm-dialog").waitFor({ state: "hidden" });
    expect(page.url()).toContain("/sessions/"); // still on the session
    await byId(page, "session-delete").click();
    await (await visible(page, "confirm-dialog")).locator('[data-testid="confirm-ok"]').click();
    await until(page, "the sessions list again", () => location.hash === "#/sessions" || location.hash.startsWith("#/sessions?") || false, undefined);
    await byId(page, "sessions-search").fill(String(STRANGER));
    await until(page, "no session of the stranger", () => document.querySelectorAll('[data-testid="session-row"]').length === 0, undefined);
  });

  test("the overview shows the binary's version, its figures and both charts", async () => {
    await go("nav-overview", "metric-version");
    const shown = await textOf(page, "metric-version");
    expect(shown).toMatch(/\d+\.\d+\.\d+/);
    expect(Bun.spawnSync([rig.binary, "--version"]).stdout.toString()).toContain(shown.replace(/^v/, ""));
    expect(await textOf(page, "metric-uptime")).toMatch(/\d/);
    expect(await textOf(page, "metric-runs")).toMatch(/\d/);
    await visible(page, "chart-rss");
    await visible(page, "chart-msgs");
  });

  test("the pages talked to their own origin only and reported no CSP violation", () => {
    expect(watch.requests.length).toBeGreaterThan(0);
    expect(watch.foreign()).toEqual([]);
    expect(watch.csp).toEqual([]); // no model HTML here: not even an inert-parse report
    expect(watch.unexpectedErrors()).toEqual([]);
  });
});
