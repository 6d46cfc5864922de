/**
 * Dashboard benchmark (prints figures; not a pass/fail test). Run: `bun test/bench/dashboard.ts`.
 *
 *   bundle   gzip sizes from dashboard/dist: the initial JS (the entry script and its
 *            modulepreloads, what the first paint waits for), all JS, and the whole app; printed
 *            next to the budgets (120 KB / 250 KB gzip)
 *   load     navigation → first chat render (`chat-input` visible, the socket `connected`) on
 *            loopback, median and p99 of N loads in a logged-in tab, against a baseline measured
 *            the same way in the same run: the gateway's index.html with JavaScript off (a static
 *            blank page from the same server)
 *   heap     the page's JS heap (CDP Runtime.getHeapUsage after a forced GC) and its DOM size
 *            after 10, 200, 500 and 1,000 streamed replies in one session: it must stay bounded
 *            (old messages are trimmed or virtualized)
 *
 * The compiled binary (dist/openclaw, rebuilt when stale) runs the gateway with the fake Anthropic
 * API (echo: each reply streams in 8-character deltas); Chromium is Debian's, headless. Every
 * phase is bounded in count; `BENCH_LOADS` (default 40) and `BENCH_MESSAGES` (default 1000) change N.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { closeBrowser, launchBrowser, newContext } from "../e2e/browser.ts";
import { byId, connected, loginWithCode, messages, replyContaining, sendChat, visible } from "../e2e/dashboard-page.ts";
import { startDashboardRig } from "../e2e/dashboard-rig.ts";
import { REPO } from "../e2e/fresh-binary.ts";
import { quantile } from "./measure.ts";

const DIST = join(REPO, "dashboard", "dist");
const LOADS = Number(process.env.BENCH_LOADS ?? 40);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1000);

const kb = (n: number) => `${(n / 1024).toFixed(1).padStart(7)} KB`;
const gz = (file: string) => Bun.gzipSync(readFileSync(file), { level: 9 }).byteLength;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

function bundle(): void {
  if (!existsSync(join(DIST, "index.html"))) throw new Error(`no ${DIST}/index.html: run npm run build first`);
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  const initial = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="([^"]+\.js)"/g)].map((m) => join(DIST, m[1]!.replace(/^\//, "")));
  const all = files(DIST).filter((f) => !/\.(gz|br)$/.test(f));
  const js = all.filter((f) => f.endsWith(".js"));
  const sum = (list: string[]) => list.reduce((n, f) => n + gz(f), 0);
  console.log(`bundle   initial JS ${kb(sum(initial))} gzip  (${initial.length} file(s); budget 120 KB)`);
  console.log(`bundle   all JS     ${kb(sum(js))} gzip  (${js.length} file(s))`);
  console.log(`bundle   whole app  ${kb(sum(all))} gzip  (${all.length} file(s), raw ${kb(all.reduce((n, f) => n + statSync(f).size, 0)).trim()}; budget 250 KB)`);
}

function summary(name: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `${name.padEnd(40)} median ${quantile(s, 0.5).toFixed(1).padStart(7)} ms   p99 ${quantile(s, 0.99).toFixed(1).padStart(7)} ms   (n=${s.length})`;
}

/** `n` timed navigations of `page` to `url`, each from about:blank, until `ready` resolves. */
async function timeLoads(page: Page, url: string, n: number, ready: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n + 3; i++) {
    await page.goto("about:blank");
    const t = performance.now();
    await page.goto(url, { waitUntil: "commit" });
    await ready();
    if (i >= 3) out.push(performance.now() - t); // three warm-up loads fill the cache, as an operator's tab has it
  }
  return out;
}

async function heap(page: Page): Promise<{ heapMb: number; nodes: number; shown: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  const usage = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number };
  await cdp.detach();
  const dom = await page.evaluate(() => ({ nodes: document.getElementsByTagName("*").length, shown: document.querySelectorAll('[data-testid="message"]').length }));
  return { heapMb: usage.usedSize / 2 ** 20, ...dom };
}

const rig = await startDashboardRig();
const browser = await launchBrowser();
try {
  bundle();

  const blank = await newContext(browser, { javaScriptEnabled: false });
  const bp = await blank.newPage();
  const base = await timeLoads(bp, `${rig.origin}/`, LOADS, () => bp.waitForLoadState("load"));
  await blank.close();

  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await loginWithCode(page, rig);
  const app = await timeLoads(page, `${rig.origin}/#/chat`, LOADS, async () => {
    await visible(page, "chat-input");
    await connected(page);
  });
  console.log(summary("load     baseline: index.html, no JS", base));
  console.log(summary("load     navigation → first chat render", app));

  await byId(page, "new-session").click();
  let sent = 0;
  const stream = async (upTo: number) => {
    for (; sent < upTo; sent++) {
      const text = `bench message ${sent} ` + "lorem ipsum dolor sit amet ".repeat(2);
      await sendChat(page, text);
      await replyContaining(page, `bench message ${sent} `);
      if (sent % 50 === 0) rig.model.requests.length = 0; // the fake records every request body; keep this process flat
    }
  };
  const line = (n: number, h: Awaited<ReturnType<typeof heap>>) =>
    `heap     after ${String(n).padStart(5)} replies  ${h.heapMb.toFixed(1).padStart(6)} MiB JS heap   ${String(h.nodes).padStart(6)} DOM elements   ${String(h.shown).padStart(5)} messages in the DOM`;
  const checkpoints = [...new Set([10, 200, Math.round(MESSAGES / 2), MESSAGES])].filter((n) => n <= MESSAGES).sort((a, b) => a - b);
  let first: number | null = null;
  let last = 0;
  for (const n of checkpoints) {
    await stream(n);
    const h = await heap(page);
    first ??= h.heapMb;
    last = h.heapMb;
    console.log(line(n, h));
  }
  console.log(`heap     ×${(last / first!).toFixed(2)} the heap of ${checkpoints[0]} replies after ${MESSAGES} (${(await messages(page, "assistant")).length} assistant messages still rendered)`);
  await ctx.close();
} finally {
  await closeBrowser(browser);
  await rig.stop();
}
