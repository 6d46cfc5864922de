/**
 * The per-host registry of gateway instances, so one gateway's sandbox hides another's secrets.
 *
 * A gateway whose state dir or config lives outside /home and /root (those are hidden whole)
 * would otherwise be readable from a neighbour's sandbox. So each gateway that creates an
 * executor writes `<pid>.json` = `{pid, paths}` (its secret paths and state dir: paths, not
 * secrets) into a registry folder, removed when the process exits; every exec reads all entries of
 * live processes and masks those paths. Folders: `/run/openclaw-instances` (root; /run is a tmpfs
 * the kernel clears at boot and the sandbox hides), else `/tmp/openclaw-instances-<uid>` (the
 * sandbox's /tmp is its own). Readers scan both kinds. Folders are 0700 and must be a real folder
 * owned by the writer (a folder or symlink planted in /tmp by someone else is never written to);
 * a root gateway reads every user's, a user's gateway its own (it could not read root's files anyway).
 *
 * Trust: an entry can only add masks. An entry from another uid masks only paths that uid owns,
 * so a local user cannot blind a root gateway's sandbox by listing /usr.
 */
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { processAlive } from "../core/pid.ts";
import type { HostView } from "./host-view.ts";

const EntrySchema = z.object({ pid: z.number().int().positive(), paths: z.array(z.string().startsWith("/")).max(10_000) });

const RUN_DIR = "/run/openclaw-instances";
const TMP_PREFIX = "openclaw-instances-";

/** Where readers look: the /run folder and every /tmp/openclaw-instances-* folder. */
export function registryDirs(view: HostView): string[] {
  return [RUN_DIR, ...view.readdir("/tmp").filter((n) => n.startsWith(TMP_PREFIX)).map((n) => join("/tmp", n))];
}

const mine = new Map<string, Set<string>>();
let exitHook = false;

/**
 * Adds `paths` to this process's entry (one file per process, rewritten atomically). Returns the
 * entry's path, or null when no registry folder is writable (the gateway then logs and goes on:
 * its own sandbox is unaffected). `dir` overrides the folder (tests).
 */
export function registerInstance(paths: string[], dir?: string): string | null {
  const uid = process.getuid?.() ?? 0;
  for (const d of dir ? [dir] : [RUN_DIR, join("/tmp", `${TMP_PREFIX}${uid}`)]) {
    try {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      if (!privateDir(d, uid)) continue; // someone else's, or a symlink planted in /tmp: never write there
      const file = join(d, `${process.pid}.json`);
      const set = mine.get(file) ?? new Set<string>();
      for (const p of paths) set.add(p);
      const tmp = `${file}.tmp`;
      rmSync(tmp, { force: true });
      writeFileSync(tmp, JSON.stringify({ pid: process.pid, paths: [...set] }), { mode: 0o600, flag: "wx" });
      renameSync(tmp, file);
      mine.set(file, set);
      if (!exitHook) {
        exitHook = true;
        process.once("exit", unregisterAll);
      }
      return file;
    } catch {
      // not writable for this user: try the next folder
    }
  }
  return null;
}

/** A real directory (not a symlink) owned by `uid` that nobody else may write. */
function privateDir(d: string, uid: number): boolean {
  const st = lstatSync(d);
  return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0;
}

/** Removes this process's entries (also run at exit). */
export function unregisterAll(): void {
  for (const file of mine.keys()) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
  mine.clear();
}

/** Paths listed by other live gateways, filtered by the trust rule above. Stale entries are removed when ours to remove. */
export function otherInstancePaths(view: HostView, dirs: string[] = registryDirs(view)): string[] {
  const me = process.getuid?.() ?? 0;
  const out: string[] = [];
  for (const dir of dirs) {
    for (const name of view.readdir(dir)) {
      if (!/^\d+\.json$/.test(name)) continue;
      const file = join(dir, name);
      const entry = parse(view.readText(file));
      if (!entry || entry.pid === process.pid) continue;
      if (!processAlive(entry.pid)) {
        removeStale(file);
        continue;
      }
      const owner = view.owner(file);
      if (owner === null) continue;
      const trusted = owner === me || owner === 0;
      for (const p of entry.paths) if (trusted || view.owner(p) === owner) out.push(p);
    }
  }
  return out;
}

function parse(text: string | null): z.infer<typeof EntrySchema> | null {
  if (!text) return null;
  try {
    const r = EntrySchema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

function removeStale(file: string): void {
  try {
    if (statSync(file).uid === (process.getuid?.() ?? 0)) unlinkSync(file);
  } catch {
    // gone, or another user's
  }
}
