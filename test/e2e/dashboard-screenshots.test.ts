// e2e: a screenshot of every dashboard page, light and dark, at 1280 px (and the chat at 390 px),
// written to dist/screenshots/<page>-<theme>[-390].png by the compiled binary's real pages with
// some data in them (a chat with a tool card, a pending pairing, log lines). The README's two
// images in docs/img/ are copies of two of these. Also checked here: the themes differ, and at
// 390 px the chat needs no horizontal scrolling.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { closeBrowser, launchBrowser, newContext, PHONE } from "./browser.ts";
import { byId, loginWithCode, replyContaining, sendChat, visible } from "./dashboard-page.ts";
import { reply, startDashboardRig, type DashboardRig } from "./dashboard-rig.ts";
import { REPO } from "./fresh-binary.ts";

const SCREENSHOTS = join(REPO, "dist", "screenshots");

let rig: DashboardRig;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  rig = await startDashboardRig();
  browser = await launchBrowser();
  await rig.telegram.waitFor(() => rig.telegram.callsOf("getUpdates").length > 0, 20_000, "the gateway's first getUpdates");
  rig.telegram.dm(7373, "hi, may I talk to your agent?", { firstName: "Ada" }); // a pending pairing for the channels page
}, 300_000);

afterAll(async () => {
  await closeBrowser(browser);
  await rig?.stop();
});

/** page name → the nav testid that opens it and the testid that says it is drawn */
const PAGES: [name: string, nav: string, ready: string][] = [
  ["chat", "nav-chat", "chat-input"],
  ["sessions", "nav-sessions", "session-row"],
  ["channels", "nav-channels", "pairing-row"],
  ["config", "nav-config", "config-field"],
  ["logs", "nav-logs", "log-line"],
  ["overview", "nav-overview", "chart-rss"],
];

async function shoot(page: Page, file: string): Promise<void> {
  const path = join(SCREENSHOTS, file);
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path, animations: "disabled", caret: "hide" });
  expect(statSync(path).size).toBeGreaterThan(4_000); // a real picture, not an empty frame
}

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

/** Fills a chat with a streamed reply and a tool card, so the chat picture shows both. */
async function chatWithContent(page: Page): Promise<void> {
  rig.model.enqueue(
    reply.toolUse("exec", { command: "uname -sr" }, { text: "Let me check the kernel." }),
    reply.text("The sandbox runs **Linux**. Here is what I found:\n\n- the tool ran under `standard`\n- its output is in the card above\n\n```sh\nuname -sr\n```"),
  );
  await sendChat(page, "Which kernel does the sandbox run?");
  await replyContaining(page, "what I found");
}

describe("dashboard screenshots", () => {
  const backgrounds: Record<string, string> = {};
  for (const theme of ["light", "dark"] as const) {
    test(`every page, ${theme}, 1280 px`, async () => {
      const ctx = await newContext(browser, { colorScheme: theme });
      try {
        const page = await ctx.newPage();
        await page.goto(`${rig.origin}/`);
        await visible(page, "login-form");
        await shoot(page, `login-${theme}.png`);
        await loginWithCode(page, rig);
        await chatWithContent(page);
        await byId(page, "tool-card").last().locator("summary").click();
        for (const [name, nav, ready] of PAGES) {
          await byId(page, nav).click();
          await visible(page, ready);
          await shoot(page, `${name}-${theme}.png`);
        }
        backgrounds[theme] = await background(page);
      } finally {
        await ctx.close();
      }
    }, 120_000);
  }

  test("the two themes look different", () => {
    expect(backgrounds.light).toBeDefined();
    expect(backgrounds.dark).toBeDefined();
    expect(backgrounds.dark).not.toBe(backgrounds.light);
  });

  for (const theme of ["light", "dark"] as const) {
    test(`the chat at 390 px, ${theme}: no horizontal scrolling`, async () => {
      const ctx = await newContext(browser, { colorScheme: theme, viewport: PHONE, isMobile: true, hasTouch: true });
      try {
        const page = await ctx.newPage();
        await loginWithCode(page, rig);
        await chatWithContent(page);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        await shoot(page, `chat-${theme}-390.png`);
      } finally {
        await ctx.close();
      }
    }, 120_000);
  }
});
