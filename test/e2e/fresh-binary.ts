// The e2e tests run dist/openclaw. A binary left over from an older checkout would test old code,
// so every e2e file calls `freshBinary()`: it rebuilds when the binary is missing or any input of
// the build (src/, build/, dashboard/, package.json, the lockfile) is newer than it.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const REPO = join(import.meta.dir, "..", "..");
export const BUILT = join(REPO, "dist", "openclaw");
const INPUTS = ["src", "build", "dashboard/src", "package.json", "package-lock.json"];
const SKIP = new Set(["node_modules", "dist", ".git"]);

/** The newest file under `path` (a file or a folder), as [mtimeMs, path]; [0, ""] when absent. */
function newest(path: string): [number, string] {
  if (!existsSync(path)) return [0, ""];
  const st = statSync(path);
  if (!st.isDirectory()) return [st.mtimeMs, path];
  let best: [number, string] = [0, ""];
  for (const name of readdirSync(path)) {
    if (SKIP.has(name)) continue;
    const n = newest(join(path, name));
    if (n[0] > best[0]) best = n;
  }
  return best;
}

/** Why `binary` must be rebuilt from the inputs under `root`, or null when it is up to date. */
export function staleReason(binary: string, root = REPO, inputs = INPUTS): string | null {
  if (!existsSync(binary)) return `${binary} does not exist`;
  const built = statSync(binary).mtimeMs;
  for (const input of inputs) {
    const [mtime, file] = newest(join(root, input));
    if (mtime > built) return `${file} is newer than ${binary}`;
  }
  return null;
}

/** Rebuild dist/openclaw if it is stale; returns its path. Throws when the build fails. */
export function freshBinary(): string {
  const reason = staleReason(BUILT);
  if (reason) {
    console.log(`e2e: rebuilding dist/openclaw (${reason})`);
    const r = Bun.spawnSync([process.execPath, join(REPO, "build", "build.ts")], { cwd: REPO, stdout: "inherit", stderr: "inherit" });
    if (r.exitCode !== 0) throw new Error(`building dist/openclaw failed (exit ${r.exitCode}); run npm run build to see why`);
    const still = staleReason(BUILT);
    if (still) throw new Error(`dist/openclaw is still stale after a build: ${still}`);
  }
  return BUILT;
}
