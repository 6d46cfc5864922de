// `npm run release`: cross-compile every target in build/release-targets.ts into dist/release/
// (raw binary + .tar.gz each), check each binary carries the embedded migrations and dashboard
// files (read back out of the bytes), write SHA256SUMS and manifest.json, and sign the manifest
// (manifest.json.sig) when OPENCLAW_RELEASE_KEY holds the Ed25519 key — its public key is then
// compiled into every binary. Without a key the binaries and the release are "unsigned".
// Targets run one after another (2-core machine). Bun fetches each target's runtime from the npm
// registry; they are cached in node_modules/.cache/bun-compile.
//   bun build/release.ts [--out dist/release] [--only linux-x64,linux-arm64] [--version X.Y.Z]
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "./embed.mjs";
import { TARGETS, type ReleaseTarget } from "./release-targets.ts";
import { privateKeyFromEnv, rawPublicKey, signFile } from "./release-sign.ts";
import pkg from "../package.json" with { type: "json" };

const root = join(import.meta.dir, "..");
const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const out = opt("--out") ?? join(root, "dist", "release");
const version = opt("--version") ?? pkg.version;
const only = opt("--only")?.split(",");
const cacheDir = join(root, "node_modules", ".cache", "bun-compile");

function git(...args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: root, stderr: "ignore" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : "";
}

function run(cmd: string[], env?: Record<string, string>): void {
  const r = Bun.spawnSync(cmd, { cwd: root, stdout: "inherit", stderr: "inherit", env: { ...process.env, ...env } });
  if (r.exitCode !== 0) throw new Error(`failed (exit ${r.exitCode}): ${cmd.join(" ")}`);
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Every migration's SQL and every dashboard file must be present, byte for byte, in the binary. */
async function checkEmbedded(file: string): Promise<number> {
  const { migrations, assets } = await import("../src/generated/embedded.ts");
  const bin = readFileSync(file);
  const missing: string[] = [];
  for (const m of migrations) if (bin.indexOf(Buffer.from(m.sql)) < 0) missing.push(`migration ${m.version}_${m.name}`);
  let n = migrations.length;
  for (const a of assets) {
    // run from source, `file` is the path on disk
    for (const f of [a.file, a.encodings?.br?.file, a.encodings?.gzip?.file]) {
      if (!f) continue;
      n++;
      if (bin.indexOf(readFileSync(f)) < 0) missing.push(`dashboard ${f.split("/").pop()}`);
    }
  }
  if (n === migrations.length) missing.push("the dashboard (no assets in src/generated/embedded.ts)");
  if (missing.length) throw new Error(`${file} is missing embedded assets: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ` (+${missing.length - 5})` : ""}`);
  return n;
}

async function main(): Promise<void> {
  const dash = Bun.spawnSync(["node", join(root, "build", "dashboard.mjs")], { cwd: root, stdout: "inherit", stderr: "inherit" });
  if (dash.exitCode !== 0) throw new Error("dashboard build failed: node build/dashboard.mjs");
  generate();
  const key = privateKeyFromEnv();
  const pub = key ? rawPublicKey(key) : "";
  const rev = git("rev-parse", "--short=12", "HEAD") || "unknown";
  const commit = rev + (git("status", "--porcelain", "--untracked-files=no") ? "-dirty" : "");
  // the commit's time, not now: two builds of one commit give the same manifest and archives
  const epoch = Number(git("log", "-1", "--format=%ct") || "0");
  const date = new Date(epoch * 1000).toISOString();
  const targets = TARGETS.filter((t) => !only || only.includes(t.name));
  if (targets.length === 0) throw new Error(`--only matched no target; targets: ${TARGETS.map((t) => t.name).join(", ")}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  mkdirSync(cacheDir, { recursive: true });
  const entries: Array<Record<string, unknown>> = [];
  const sums: string[] = [];
  for (const t of targets) entries.push(await buildTarget(t, { pub, commit, epoch, sums }));
  const manifest = { name: "openclaw", version, commit, date, signed: pub !== "", targets: entries };
  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  writeFileSync(join(out, "SHA256SUMS"), sums.sort().join("\n") + "\n");
  if (key) console.log(`release: ${signFile(join(out, "manifest.json"), key)}`);
  else console.log("release: OPENCLAW_RELEASE_KEY not set: the manifest is unsigned and the binaries report \"unsigned\"");
  console.log(`release ${version} (${commit}): ${targets.length} target(s) in ${out}`);
}

async function buildTarget(t: ReleaseTarget, o: { pub: string; commit: string; epoch: number; sums: string[] }) {
  const file = `openclaw-${t.name}`;
  const path = join(out, file);
  const started = performance.now();
  run(
    [
      process.execPath, "build", join(root, "src", "main.ts"),
      "--compile", `--target=${t.bun}`, "--minify-syntax", "--minify-whitespace", "--sourcemap=none", "--format=esm", "--splitting", "--bytecode",
      "--define", `__OPENCLAW_VERSION__=${JSON.stringify(version)}`,
      "--define", `__OPENCLAW_COMMIT__=${JSON.stringify(o.commit)}`,
      "--define", `__OPENCLAW_RELEASE_PUBKEY__=${JSON.stringify(o.pub)}`,
      "--outfile", path,
    ],
    { BUN_INSTALL_CACHE_DIR: cacheDir },
  );
  const embedded = await checkEmbedded(path);
  const archive = `${file}.tar.gz`;
  // deterministic archive: fixed order, owner and mtime; gzip without name/time
  run(["sh", "-c", `tar --sort=name --mtime=@${o.epoch} --owner=0 --group=0 --numeric-owner -C "$1" -cf - "$2" | gzip -n -9 > "$1/$3"`, "sh", out, file, archive]);
  const bin = readFileSync(path);
  const arc = readFileSync(join(out, archive));
  const entry = {
    target: t.name, os: t.os, arch: t.arch, libc: t.libc,
    file, size: bin.length, sha256: sha256(bin),
    archive, archiveSize: arc.length, archiveSha256: sha256(arc),
  };
  o.sums.push(`${entry.sha256}  ${file}`, `${entry.archiveSha256}  ${archive}`);
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(`release: ${file} ${mib(entry.size)} MiB, ${archive} ${mib(arc.length)} MiB, ${embedded} embedded file(s) checked, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return entry;
}

main().catch((err) => {
  console.error(`release failed: ${(err as Error).message}`);
  process.exit(1);
});
