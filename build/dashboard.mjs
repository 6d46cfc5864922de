// Builds the dashboard (dashboard/ → dashboard/dist) with Vite on Node (Vite 8 needs Node
// ^20.19 || >=22.12; the machine has 20.20), writes `x.gz` and `x.br` beside each text file (the
// embed module picks them up as variants), prints the sizes and FAILS when a budget is exceeded:
//   initial JS (the entry script and what index.html preloads) ≤ 120 KB gzip
//   whole app (every .js, .css, .html) ≤ 250 KB gzip
// Then regenerates src/generated/embedded.ts (its file imports name the hashed files).
// Plain Node so postinstall / prestart can run it. Usage:
//   node build/dashboard.mjs             always build
//   node build/dashboard.mjs --if-stale  build only when dist is missing or older than the sources
//   node build/dashboard.mjs --out-dir DIR --no-embed   (tests) build elsewhere, embed module untouched
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { generate } from "./embed.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const app = join(root, "dashboard");
const dist = join(app, "dist");
export const BUDGET = { initialJsGzip: 120 * 1024, totalGzip: 250 * 1024 };
const MIN_COMPRESS = 1024;
const COMPRESS = new Set([".js", ".css", ".html", ".svg", ".json", ".txt", ".mjs", ".webmanifest"]);

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Newest mtime of what the build reads: the app's sources and config, and the lockfile (dependency versions). */
function newestSource() {
  const files = [...walk(join(app, "src")), ...walk(join(app, "public")), join(app, "index.html"), join(app, "vite.config.ts"), join(root, "package-lock.json")];
  return Math.max(...files.filter((f) => existsSync(f)).map((f) => statSync(f).mtimeMs));
}

export function isStale() {
  const index = join(dist, "index.html");
  return !existsSync(index) || statSync(index).mtimeMs < newestSource();
}

/** Gzip and brotli siblings for each compressible file of 1 KiB or more; returns the gzip size of every file (for the budgets). */
function precompress(outDir) {
  const sizes = new Map();
  for (const f of walk(outDir)) {
    const ext = extname(f);
    if (!COMPRESS.has(ext)) continue;
    const body = readFileSync(f);
    const gz = gzipSync(body, { level: 9 });
    // index.html is a few hundred bytes: served as it is (the budget still counts its gzip size)
    if (body.length < MIN_COMPRESS) {
      sizes.set(relative(outDir, f), { raw: body.length, gzip: gz.length, br: null });
      continue;
    }
    const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
    writeFileSync(f + ".gz", gz);
    writeFileSync(f + ".br", br);
    sizes.set(relative(outDir, f), { raw: body.length, gzip: gz.length, br: br.length });
  }
  return sizes;
}

/** The JS a first load runs before anything else: index.html's module script and modulepreloads. */
export function initialScripts(html) {
  const out = [];
  for (const m of html.matchAll(/<(?:script|link)\b[^>]*>/g)) {
    const tag = m[0];
    const isScript = tag.startsWith("<script") && /type="module"/.test(tag);
    const isPreload = tag.startsWith("<link") && /rel="modulepreload"/.test(tag);
    const ref = /(?:src|href)="\/?([^"]+)"/.exec(tag)?.[1];
    if ((isScript || isPreload) && ref) out.push(ref);
  }
  return out;
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/** Sizes against the budgets; `problems` is empty when both hold. */
export function checkBudgets(sizes, html) {
  const initial = initialScripts(html).reduce((s, f) => s + (sizes.get(f)?.gzip ?? 0), 0);
  const total = [...sizes].filter(([f]) => /\.(js|css|html)$/.test(f)).reduce((s, [, v]) => s + v.gzip, 0);
  const problems = [];
  if (initial > BUDGET.initialJsGzip) problems.push(`initial JS is ${kb(initial)} gzip, over the ${kb(BUDGET.initialJsGzip)} budget: load more of it lazily (route components, charts)`);
  if (total > BUDGET.totalGzip) problems.push(`the whole app is ${kb(total)} gzip, over the ${kb(BUDGET.totalGzip)} budget: drop or replace a dependency`);
  return { initial, total, problems };
}

/** `outDir` and `embed: false` are for tests: a build elsewhere that leaves the embed module alone. */
export async function buildDashboard({ ifStale = false, outDir = dist, embed = true } = {}) {
  if (ifStale && !isStale()) {
    console.log("dashboard: dist is up to date");
    return { built: false };
  }
  // `bun test` (the e2e's fresh-binary build) sets NODE_ENV=test, and Vite honours NODE_ENV over
  // its mode: that would ship Vue's development build (measured: 87 KB instead of 70 KB initial)
  process.env.NODE_ENV = "production";
  const { build } = await import("vite");
  await build({ configFile: join(app, "vite.config.ts"), root: app, mode: "production", logLevel: "warn", build: { outDir } });
  const sizes = precompress(outDir);
  const html = readFileSync(join(outDir, "index.html"), "utf8");
  const r = checkBudgets(sizes, html);
  for (const [f, v] of [...sizes].sort((a, b) => b[1].gzip - a[1].gzip)) {
    const variants = v.br === null ? "(served as is)" : `br ${kb(v.br).padStart(8)}`;
    console.log(`  ${f.padEnd(44)} ${kb(v.raw).padStart(9)}  gzip ${kb(v.gzip).padStart(8)}  ${variants}`);
  }
  console.log(`dashboard: initial JS ${kb(r.initial)} gzip (budget ${kb(BUDGET.initialJsGzip)}), whole app ${kb(r.total)} gzip (budget ${kb(BUDGET.totalGzip)})`);
  if (r.problems.length) throw new Error(`dashboard over budget:\n  ${r.problems.join("\n  ")}`);
  // the new file names must reach the embed module at once: the old one imports files that are gone
  if (embed) generate();
  return { built: true, ...r };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf("--out-dir");
  const opts = { ifStale: process.argv.includes("--if-stale"), embed: !process.argv.includes("--no-embed"), ...(at > 0 && process.argv[at + 1] ? { outDir: process.argv[at + 1] } : {}) };
  buildDashboard(opts).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
