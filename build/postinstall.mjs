// postinstall (plain Node 20, no dependencies): after `npm install` / `npm ci`,
//   1. make sure the local Bun (node_modules/.bin/bun, from the `bun` devDependency) runs; if it
//      does not (its own postinstall skipped or failed), run `node node_modules/bun/install.js`;
//   2. build the dashboard when dashboard/dist is missing or older than its sources (so
//      `npm install && npm start` serves the real app);
//   3. generate src/generated/embedded.ts (SQL migrations, dashboard assets).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDashboard } from "./dashboard.mjs";
import { generate } from "./embed.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bunBin = join(root, "node_modules", ".bin", process.platform === "win32" ? "bun.exe" : "bun");

function bunVersion() {
  if (!existsSync(bunBin)) return null;
  const r = spawnSync(bunBin, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

let version = bunVersion();
if (!version) {
  const installer = join(root, "node_modules", "bun", "install.js");
  if (existsSync(installer)) {
    console.log("postinstall: node_modules/.bin/bun does not run; running node node_modules/bun/install.js");
    spawnSync(process.execPath, [installer], { cwd: join(root, "node_modules", "bun"), stdio: "inherit" });
    version = bunVersion();
  }
}
if (!version) {
  console.error(
    "postinstall: the local Bun does not run. Check that optional dependencies are installed " +
      "(npm ci --include=optional) and that node_modules/bun/install.js can download the binary.",
  );
  process.exit(1);
}
try {
  await buildDashboard({ ifStale: true });
} catch (err) {
  console.error(`postinstall: the dashboard did not build: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
const r = generate();
console.log(`postinstall: bun ${version}; embed: ${r.migrations} migration(s), ${r.assets} asset(s)`);
