/**
 * `tools.exec.maxWorkspaceMb`: the disk space the workspace may take. Before each exec (only when
 * the key is set: the walk costs about a stat per file) the workspace is measured; over the cap,
 * exec is refused; under it, what is left becomes the command's write budget (the write watcher
 * kills the command past it). Deletes during the command are not credited, so the budget errs on
 * the safe side. The file tools' writes are checked against the same cap by quota-fs.ts.
 */
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { StorageFullError } from "../core/errors.ts";

const MiB = 1024 * 1024;
/** entries walked at most; past it the measure is a lower bound (a huge tree is over any sane cap anyway) */
const MAX_ENTRIES = 500_000;

/** Bytes on disk under `dir` (allocated blocks, hard links counted once, symlinks not followed). */
export function diskUsage(dir: string): number {
  const seen = new Set<string>();
  let total = 0;
  let entries = 0;
  const stack = [dir];
  while (stack.length > 0 && entries < MAX_ENTRIES) {
    const d = stack.pop() as string;
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const name of names) {
      if (++entries > MAX_ENTRIES) break;
      const p = join(d, name);
      try {
        const st = lstatSync(p);
        if (st.nlink > 1 && !st.isDirectory()) {
          const id = `${st.dev}:${st.ino}`;
          if (seen.has(id)) continue;
          seen.add(id);
        }
        total += st.blocks * 512;
        if (st.isDirectory()) stack.push(p);
      } catch {
        // vanished while we looked
      }
    }
  }
  return total;
}

/** The command's write budget under the cap; throws `StorageFullError` when the workspace is already over it. */
export function workspaceBudget(workspace: string, maxWorkspaceMb: number): { bytes: number; name: string } {
  const used = diskUsage(workspace);
  const cap = maxWorkspaceMb * MiB;
  const name = `tools.exec.maxWorkspaceMb=${maxWorkspaceMb} (the workspace held ${Math.round(used / MiB)} MB)`;
  if (used >= cap) {
    throw new StorageFullError(
      `not run: the workspace ${workspace} uses ${Math.round(used / MiB)} MB, at its cap tools.exec.maxWorkspaceMb=${maxWorkspaceMb}; delete files it no longer needs (build output, caches, downloads) and retry`,
    );
  }
  return { bytes: cap - used, name };
}
