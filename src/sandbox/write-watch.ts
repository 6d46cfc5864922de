/**
 * The whole-command write cap and the disk reserve, enforced while a command runs.
 *
 * Every `intervalMs` the watcher sums `write_bytes` of /proc/<pid>/io over the exec's processes
 * (the kernel counts a write when it dirties page cache, so buffered writes count at once, and a
 * reaped child's count moves into its parent, so exited processes stay counted), and reads the free
 * space of each writable host path's file system. Past `limits.writeMb`, or when free space drops
 * under `limits.diskReserveMb`, it calls `kill` once with the reason. tmpfs writes do not count here:
 * each tmpfs is size-capped and its pages are charged to the memory cgroup.
 *
 * Overshoot is at most what the command writes in one interval (RLIMIT_FSIZE still caps each file).
 */
import { readFileSync, statfsSync } from "node:fs";
import { realHostView } from "./host-view.ts";

export interface WriteWatchOptions {
  /** the exec's processes (its cgroup, or its process tree) */
  pids: () => number[];
  maxWriteBytes: number;
  /** how the reason names the cap; default `writeMb=<maxWriteBytes in MiB>` */
  limitName?: string;
  /** host paths the command can write (allowed paths) */
  paths: readonly string[];
  reserveBytes: number;
  kill: (reason: string) => void;
  intervalMs?: number;
  /** free bytes on the file system holding `path`; default statfs */
  freeBytes?: (path: string) => number | null;
}

export interface WriteWatch {
  /** bytes the command has written so far (the largest sum seen) */
  written(): number;
  /** why it was killed, or null */
  reason(): string | null;
  stop(): void;
}

export function watchWrites(o: WriteWatchOptions): WriteWatch {
  let written = 0;
  let reason: string | null = null;
  const free = o.freeBytes ?? freeBytes;
  const tick = () => {
    if (reason) return;
    written = Math.max(written, o.pids().reduce((sum, pid) => sum + writeBytes(pid), 0));
    if (written > o.maxWriteBytes) {
      reason = `killed: write limit ${o.limitName ?? `writeMb=${mb(o.maxWriteBytes)}`} (the command wrote ${mb(written)} MB; write less, or clean up inside the workspace and retry)`;
    } else {
      for (const p of o.paths) {
        const f = free(p);
        if (f !== null && f < o.reserveBytes) {
          reason = `killed: the disk holding ${p} is almost full (${mb(f)} MB free; diskReserveMb=${mb(o.reserveBytes)} is kept for the session database); free disk space and retry`;
          break;
        }
      }
    }
    if (reason) o.kill(reason);
  };
  const timer = setInterval(tick, o.intervalMs ?? 100);
  timer.unref?.();
  return {
    written: () => written,
    reason: () => reason,
    stop: () => {
      clearInterval(timer);
    },
  };
}

export function freeBytes(path: string): number | null {
  try {
    const s = statfsSync(path);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

function writeBytes(pid: number): number {
  try {
    return Number(/^write_bytes: (\d+)/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0; // exited (its count is in its parent now) or not readable
  }
}

/** `root` and every process below it, from the parent links in /proc (used without a cgroup). */
export function treePids(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of realHostView.readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0 && out.length < 100_000) {
    const pid = queue.shift() as number;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));
