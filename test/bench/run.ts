// `npm run bench`: runs every benchmark in test/bench/ (one process each, one after another).
import { readdirSync } from "node:fs";
import { join } from "node:path";

const dir = import.meta.dir;
let failed = 0;
for (const f of readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "run.ts").sort()) {
  console.log(`\n=== ${f} ===`);
  const r = Bun.spawnSync([process.execPath, join(dir, f)], { stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
