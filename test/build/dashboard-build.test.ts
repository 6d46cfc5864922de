// The dashboard build as postinstall, prestart and `npm run build` run it (node build/dashboard.mjs),
// into a temp dir so the checkout's dist and embed module are left alone.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");

describe("build/dashboard.mjs", () => {
  test("under NODE_ENV=test (as bun test sets it) it still ships Vue's production build, precompressed, within budget", () => {
    const out = join(mkdtempSync(join(tmpdir(), "dash-")), "dist");
    const r = Bun.spawnSync(["node", join(ROOT, "build", "dashboard.mjs"), "--out-dir", out, "--no-embed"], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "test" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const printed = r.stdout.toString() + r.stderr.toString();
    expect({ exit: r.exitCode, printed: r.exitCode === 0 ? "" : printed }).toEqual({ exit: 0, printed: "" });
    expect(printed).toMatch(/initial JS [\d.]+ KB gzip \(budget 120\.0 KB\), whole app [\d.]+ KB gzip \(budget 250\.0 KB\)/);
    const assets = readdirSync(join(out, "assets"));
    const entry = /src="\/(assets\/index-[^"]+\.js)"/.exec(readFileSync(join(out, "index.html"), "utf8"))?.[1];
    expect(entry).toBeDefined();
    const js = readFileSync(join(out, entry!), "utf8");
    // Vue's development build carries its warnings and devtools hooks; the production build does not
    expect({ vueWarn: js.includes("[Vue warn]"), hmr: js.includes("__VUE_HMR_RUNTIME__") }).toEqual({ vueWarn: false, hmr: false });
    expect(existsSync(join(out, entry! + ".gz"))).toBe(true);
    expect(existsSync(join(out, entry! + ".br"))).toBe(true);
    expect(assets.some((f) => f.endsWith(".css.br"))).toBe(true);
    expect(existsSync(join(out, "index.html.gz"))).toBe(false); // a few hundred bytes: served as is
  }, 120_000);
});
