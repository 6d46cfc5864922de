// What a person does in the dashboard, in the words of its data-testid contract (docs/dashboard.md):
// log in, send a chat message, wait for a run to end. Every wait is Playwright's own, bounded, and
// throws naming what it waited for.
import type { Locator, Page } from "playwright-core";
import { dashboardCode, type DashboardRig } from "./dashboard-rig.ts";

export const WAIT_MS = 20_000;

export const byId = (page: Page | Locator, id: string): Locator => page.locator(`[data-testid="${id}"]`);

/** Waits for the element; the error names the testid and the page's URL. */
export async function visible(page: Page, id: string, timeout = WAIT_MS): Promise<Locator> {
  const loc = byId(page, id).first();
  try {
    await loc.waitFor({ state: "visible", timeout });
  } catch (err) {
    throw new Error(`[data-testid="${id}"] did not become visible within ${timeout} ms on ${page.url()}: ${(err as Error).message.split("\n")[0]}`);
  }
  return loc;
}

/** Waits until `fn(arg)`, run in the page, returns a truthy value (returned); the error names `what`. */
export async function until<A, R>(page: Page, what: string, fn: (arg: A) => R | false | null | undefined, arg: A, timeout = WAIT_MS): Promise<R> {
  try {
    const handle = await page.waitForFunction(fn as unknown as Parameters<Page["waitForFunction"]>[0], arg, { timeout });
    return (await handle.jsonValue()) as R;
  } catch (err) {
    throw new Error(`timed out after ${timeout} ms waiting for ${what} on ${page.url()}: ${(err as Error).message.split("\n")[0]}`);
  }
}

/** The trimmed text of the first element with this testid, or "" when there is none. */
export async function textOf(page: Page | Locator, id: string): Promise<string> {
  const loc = byId(page, id).first();
  return (await loc.count()) === 0 ? "" : ((await loc.textContent()) ?? "").trim();
}

/** Waits until `conn-state` says `want` (default `connected`). */
export async function connected(page: Page, want = "connected"): Promise<void> {
  await visible(page, "conn-state");
  await until(page, `conn-state "${want}"`, (w) => document.querySelector('[data-testid="conn-state"]')?.textContent?.trim() === w, want);
}

/** Opens the one-time URL `openclaw dashboard` prints and waits for the chat page, connected. */
export async function loginWithCode(page: Page, rig: DashboardRig): Promise<void> {
  const { url } = await dashboardCode(rig);
  await page.goto(url);
  await visible(page, "chat-input");
  await connected(page);
}

/** The text of every `message` of `role`, in page order. */
export function messages(page: Page, role: "user" | "assistant"): Promise<string[]> {
  return page.locator(`[data-testid="message"][data-role="${role}"]`).allTextContents();
}

/** Types `text` into the chat and sends it; waits until the page shows the user's message. */
export async function sendChat(page: Page, text: string): Promise<void> {
  const before = (await messages(page, "user")).filter((t) => t.includes(text)).length;
  await (await visible(page, "chat-input")).fill(text);
  await byId(page, "chat-send").click();
  await until(
    page,
    `the user message "${text}"`,
    ([t, n]) => [...document.querySelectorAll('[data-testid="message"][data-role="user"]')].filter((e) => e.textContent?.includes(t)).length > n,
    [text, before] as [string, number],
  );
}

/** Waits until no reply streams and the last assistant message contains `text`; returns that message's text. */
export function replyContaining(page: Page, text: string, timeout = WAIT_MS): Promise<string> {
  return until(
    page,
    `a finished reply containing "${text}"`,
    (t) => {
      if (document.querySelector('[data-testid="message-streaming"]')) return false;
      const all = document.querySelectorAll('[data-testid="message"][data-role="assistant"]');
      const last = all[all.length - 1]?.textContent ?? "";
      return last.includes(t) ? last : false;
    },
    text,
    timeout,
  );
}
