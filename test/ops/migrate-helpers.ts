// The committed OpenClaw home (test/fixtures/openclaw-home/home, produced by real OpenClaw) copied
// into a temp dir, its gzipped SQLite files unpacked; a fresh state dir per test; a tree hash.
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";

export const FIXTURE = join(import.meta.dir, "..", "fixtures", "openclaw-home", "home");

function files(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** A private copy of the fixture home. */
export function fixtureHome(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "oc-home-")), ".openclaw");
  cpSync(FIXTURE, dir, { recursive: true });
  for (const f of files(dir).filter((p) => p.endsWith(".sqlite.gz"))) {
    writeFileSync(f.slice(0, -3), gunzipSync(readFileSync(f)));
    rmSync(f);
  }
  return dir;
}

/** Sets OPENCLAW_STATE_DIR / OPENCLAW_CONFIG_PATH to a fresh directory; returns it. */
export function freshState(): { state: string; config: string } {
  const state = join(mkdtempSync(join(tmpdir(), "oc-state-")), "state");
  process.env.OPENCLAW_STATE_DIR = state;
  process.env.OPENCLAW_CONFIG_PATH = join(state, "openclaw.json");
  return { state, config: join(state, "openclaw.json") };
}

/** sha256 over every file's relative path, mode and bytes (a directory that does not exist hashes as empty). */
export function treeHash(dir: string): string {
  const h = createHash("sha256");
  let list: string[] = [];
  try {
    list = files(dir);
  } catch {
    list = [];
  }
  for (const f of list) h.update(`${relative(dir, f)}\0${statSync(f).mode}\0`).update(readFileSync(f));
  return h.digest("hex");
}

export function listTree(dir: string): string[] {
  try {
    return files(dir).map((f) => relative(dir, f));
  } catch {
    return [];
  }
}

/** When the fixture's newest pending Telegram pairing request was made (it expires an hour later, as in OpenClaw). */
export function pendingPairingCreatedAt(home: string): number {
  const p = JSON.parse(readFileSync(join(home, "credentials", "telegram-pairing.json"), "utf8")) as { requests: { createdAt: string }[] };
  return Math.max(...p.requests.map((r) => Date.parse(r.createdAt)));
}
