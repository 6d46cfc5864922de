// `npm run bench`: runs every benchmark in test/bench/ (one process each, one after another), each
// with a private HOME and state dir (as the test preload gives tests), so a benchmark never creates
// or reads ~/.openclaw on the machine it measures.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = import.meta.dir;
/** the runner itself, helpers, and the soak (`npm run soak`: 30 minutes, never part of this run) */
const NOT_BENCHES = new Set(["run.ts", "soak.ts", "chart.ts", "measure.ts", "cpuprofile.ts", "jsdom.d.ts"]);
let failed = 0;
for (const f of readdirSync(dir).filter((f) => f.endsWith(".ts") && !NOT_BENCHES.has(f)).sort()) {
  console.log(`\n=== ${f} ===`);
  const home = mkdtempSync(join(tmpdir(), "openclaw-bench-"));
  const env = { ...process.env, HOME: home, OPENCLAW_STATE_DIR: join(home, ".openclaw"), OPENCLAW_CONFIG_PATH: join(home, ".openclaw", "openclaw.json") };
  const r = Bun.spawnSync([process.execPath, join(dir, f)], { stdout: "inherit", stderr: "inherit", env });
  rmSync(home, { recursive: true, force: true });
  if (r.exitCode !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
