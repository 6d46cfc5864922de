// The dashboard e2e's browser: Debian's Chromium (`apt-get install chromium`, a test requirement in
// build/ensure-system.ts) driven by playwright-core through `executablePath`, headless. One browser
// per test file (launch in beforeAll, `closeBrowser` in afterAll); a context per scenario where
// isolation matters (cookies, viewport, colour scheme).
//
// `watchPage` records what a page did that a test must be able to fail on: every request and
// WebSocket it opened (so "no connection to any other origin" is checked, not assumed), console
// errors, uncaught exceptions and CSP violations (a listener installed before any page script).
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  "--no-sandbox", // CI runs as root, where Chromium's own sandbox cannot start
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-default-apps",
  "--disable-extensions",
  "--disable-sync",
  "--no-first-run",
  "--no-default-browser-check",
  "--mute-audio",
  "--password-store=basic",
  "--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication",
];

/** Launches headless Chromium; throws naming the install command when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the dashboard e2e needs Chromium at ${CHROMIUM}: run \`apt-get update && apt-get install -y chromium\` (npm test does it through build/ensure-system.ts when run as root)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 });
}

/** Closes the browser; bounded, so a hung Chromium cannot hold the test run. */
export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  if (!browser) return;
  const closed = await Promise.race([browser.close().then(() => true), Bun.sleep(15_000).then(() => false)]);
  if (!closed) throw new Error("Chromium did not close within 15 s");
}

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** A fresh context (own cookies and storage) at 1280 px unless told otherwise. */
export function newContext(browser: Browser, opts: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: DESKTOP, ...opts });
}

export interface CspViolation {
  directive: string;
  blockedURI: string;
  sample: string;
  /** nodeName of the event's target: the element that carried the blocked inline code, or `#document` */
  target: string;
}

/**
 * Chrome reports an inline event handler attribute as a `script-src-attr` violation, aimed at the
 * document, as soon as such HTML is *parsed*, even into an inert DOMParser document where nothing
 * can run — which is how DOMPurify reads the HTML it is about to clean (cure53/DOMPurify#900). A
 * handler that reached the live page is reported on its element instead. So: the violations that
 * mean something reached (or tried to reach) the page.
 */
export function liveViolations(csp: readonly CspViolation[]): CspViolation[] {
  return csp.filter((v) => !(v.directive === "script-src-attr" && v.target === "#document"));
}

export interface PageWatch {
  /** every URL the page requested (documents, scripts, XHR/fetch, images, …) */
  requests: string[];
  /** every WebSocket URL the page opened */
  sockets: string[];
  /** console messages of type error, and uncaught exceptions */
  errors: string[];
  /** `errors` less the browser's own notes that are asserted elsewhere: CSP reports (see `csp`) and failed loads (HTTP statuses the tests check) */
  unexpectedErrors(): string[];
  /** requests and sockets to anything but `origin` (data: and blob: URLs are local) */
  foreign(): string[];
  /** CSP violations the page reported (across reloads: reported through a binding, not kept in the page); see liveViolations */
  csp: CspViolation[];
}

// Installed through CDP before any page script, so the page's CSP does not apply to it.
const CSP_LISTENER = `
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__openclawCsp({ directive: e.violatedDirective, blockedURI: e.blockedURI, sample: e.sample, target: e.target && e.target.nodeName || "" });
  });
`;

/** Starts recording what `page` does; call before the first navigation. */
export async function watchPage(page: Page, origin: string): Promise<PageWatch> {
  const w = { requests: [] as string[], sockets: [] as string[], errors: [] as string[], csp: [] as CspViolation[] };
  page.on("request", (r) => w.requests.push(r.url()));
  page.on("websocket", (s) => w.sockets.push(s.url()));
  page.on("console", (m) => {
    if (m.type() === "error") w.errors.push(m.text());
  });
  page.on("pageerror", (e) => w.errors.push(`uncaught: ${e.message}`));
  await page.exposeFunction("__openclawCsp", (v: CspViolation) => void w.csp.push(v));
  await page.addInitScript(CSP_LISTENER);
  const own = new URL(origin);
  const isOwn = (url: string) => {
    if (url.startsWith("data:") || url.startsWith("blob:") || url === "about:blank") return true;
    const u = new URL(url);
    return u.host === own.host && (u.protocol === own.protocol || u.protocol === own.protocol.replace("http", "ws"));
  };
  return {
    ...w,
    foreign: () => [...w.requests, ...w.sockets].filter((u) => !isOwn(u)),
    unexpectedErrors: () => w.errors.filter((e) => !e.includes("Content Security Policy") && !e.startsWith("Failed to load resource")),
  };
}
