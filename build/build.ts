// `npm run build`: build the dashboard (build/dashboard.mjs: Vite on Node, precompressed files,
// budgets enforced), regenerate the embed module (migrations, dashboard assets), then
// `bun build --compile` src/main.ts into dist/openclaw with the version and git commit injected,
// minified, ESM with code splitting (each lazily imported subcommand is its own chunk inside the
// binary) and bytecode. Measured CPU time of `dist/openclaw --version` (median of 21, 2 CPUs):
// no bytecode 130-160 ms, CJS + bytecode 60-70 ms, ESM + splitting + bytecode 50 ms.
// `--no-bytecode` builds without it, to compare.
//   bun build/build.ts [--outfile dist/openclaw] [--no-bytecode]
import { statSync } from "node:fs";
import { join } from "node:path";
import { generate } from "./embed.mjs";
import pkg from "../package.json" with { type: "json" };

const root = join(import.meta.dir, "..");
const argv = process.argv.slice(2);
const outIdx = argv.indexOf("--outfile");
const outfile = outIdx >= 0 && argv[outIdx + 1] ? argv[outIdx + 1]! : join(root, "dist", "openclaw");
const bytecode = !argv.includes("--no-bytecode");

function gitCommit(): string {
  const rev = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: root, stderr: "ignore" });
  if (rev.exitCode !== 0) return "unknown";
  const dirty = Bun.spawnSync(["git", "status", "--porcelain", "--untracked-files=no"], { cwd: root, stderr: "ignore" });
  return rev.stdout.toString().trim() + (dirty.stdout.toString().trim() ? "-dirty" : "");
}

// Node, not this Bun: the dashboard build is the same one postinstall and prestart run (docs/decisions.md)
const dash = Bun.spawnSync(["node", join(root, "build", "dashboard.mjs")], { cwd: root, stdout: "inherit", stderr: "inherit" });
if (dash.exitCode !== 0) {
  console.error(`dashboard build failed (exit ${dash.exitCode}): node build/dashboard.mjs`);
  process.exit(1);
}
const embedded = generate();
const commit = gitCommit();
const started = performance.now();
const cmd = [
  process.execPath, "build", join(root, "src", "main.ts"),
  // Syntax + whitespace minification only, never identifiers: error classes name themselves from
  // their constructor (`this.name = new.target.name`) and that name is the `type` clients see in
  // JSON-RPC errors and `--json` failures; citty and our fs code also test `err.name`. Bun's
  // --keep-names did not keep subclass names (measured), so identifiers are left alone.
  "--compile", "--minify-syntax", "--minify-whitespace", "--sourcemap=none", "--format=esm", "--splitting",
  ...(bytecode ? ["--bytecode"] : []),
  "--define", `__OPENCLAW_VERSION__=${JSON.stringify(pkg.version)}`,
  "--define", `__OPENCLAW_COMMIT__=${JSON.stringify(commit)}`,
  "--outfile", outfile,
];
const r = Bun.spawnSync(cmd, { cwd: root, stdout: "inherit", stderr: "inherit" });
if (r.exitCode !== 0) {
  console.error(`build failed (exit ${r.exitCode}): ${cmd.join(" ")}`);
  process.exit(1);
}
const mb = (statSync(outfile).size / 1024 / 1024).toFixed(1);
console.log(
  `built ${outfile}: openclaw ${pkg.version} (${commit}), ${mb} MiB, bytecode ${bytecode ? "on" : "off"}, ` +
    `${embedded.migrations} migration(s), ${embedded.assets} asset(s), ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
