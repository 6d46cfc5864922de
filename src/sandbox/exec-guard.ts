/**
 * The limits one sandboxed exec runs under, beyond the rlimits of the wrapper (limits.ts): its
 * cgroups (pids and memory for the whole tree, cgroup.ts), the whole-command write cap and disk
 * reserve (write-watch.ts), and the note the model reads when one of them stopped the command.
 *
 * Use: `checkDiskReserve` before spawning (throws `StorageFullError`), `startGuard` → pass
 * `procsPaths` to the wrapper and `onSpawn` to runProcess → `finish(result)` → `dispose()`.
 */
import { SandboxUnavailableError, StorageFullError } from "../core/errors.ts";
import type { SandboxLimits } from "../config/schema.ts";
import { cgroupBases, createExecCgroup, type ExecCgroup } from "./cgroup.ts";
import type { ExecResult } from "./executor.ts";
import type { PidsMode } from "./limits.ts";
import { freeBytes, treePids, watchWrites, type WriteWatch } from "./write-watch.ts";

const MiB = 1024 * 1024;
export const DEFAULT_WRITE_MB = 1024;
export const DEFAULT_DISK_RESERVE_MB = 256;
const writeMb = (l: SandboxLimits) => l.writeMb ?? DEFAULT_WRITE_MB;
const reserveMb = (l: SandboxLimits) => l.diskReserveMb ?? DEFAULT_DISK_RESERVE_MB;

export type MemoryMode = "cgroup-v1" | "cgroup-v2" | "rlimit-per-process";

/** Which kernel mechanism holds each limit on this host (for `status().details` and the warnings). */
export function limitModes(): { pids: PidsMode; memory: MemoryMode } {
  const b = cgroupBases();
  const pids: PidsMode = b?.pids ? b.mode : process.getuid?.() === 0 ? "none" : "rlimit";
  return { pids, memory: b?.memory ? b.mode : "rlimit-per-process" };
}

/** Refuses to start a command when a writable path's file system has less free than the reserve. */
export function checkDiskReserve(paths: readonly string[], limits: SandboxLimits, free: (p: string) => number | null = freeBytes): void {
  const reserve = reserveMb(limits) * MiB;
  for (const p of paths) {
    const f = free(p);
    if (f !== null && f < reserve) {
      throw new StorageFullError(
        `not run: the disk holding ${p} has ${Math.round(f / MiB)} MB free, under the ${reserveMb(limits)} MB (limits.diskReserveMb) kept so the session database can always record its runs; free disk space (delete build output or caches) and retry`,
      );
    }
  }
}

export interface ExecGuard {
  /** cgroup.procs files the wrapper joins (empty without cgroups) */
  procsPaths: string[];
  onSpawn(pid: number): void;
  /** Stops the watcher; marks the result with what stopped the command, if a limit did. */
  finish(result: ExecResult): ExecResult;
  dispose(): void;
}

export function startGuard(limits: SandboxLimits, writable: readonly string[], opts: { intervalMs?: number; budget?: { bytes: number; name: string } } = {}): ExecGuard {
  const bases = cgroupBases();
  let cgroup: ExecCgroup | null = null;
  try {
    cgroup = bases ? createExecCgroup(bases, { maxPids: limits.processes, memoryBytes: limits.memoryMb * MiB }) : null;
  } catch (err) {
    throw new SandboxUnavailableError(
      `cannot create this command's cgroup (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}) under ${bases?.pids ?? bases?.memory}; check that /sys/fs/cgroup is writable and not full (cgroup.max.descendants), then retry`,
      { cause: err },
    );
  }
  let root = 0;
  let watch: WriteWatch | null = null;
  const pids = () => (cgroup ? cgroup.pids() : root ? treePids(root) : []);
  return {
    procsPaths: cgroup?.procsPaths ?? [],
    onSpawn(pid) {
      root = pid;
      watch = watchWrites({
        pids,
        ...(opts.budget && opts.budget.bytes < writeMb(limits) * MiB
          ? { maxWriteBytes: opts.budget.bytes, limitName: opts.budget.name }
          : { maxWriteBytes: writeMb(limits) * MiB }),
        paths: writable,
        reserveBytes: reserveMb(limits) * MiB,
        kill: () => {
          for (const p of pids()) signal(p);
          signal(-pid); // the wrapper's process group (bwrap); its PID namespace dies with it
        },
        // without a cgroup each tick walks all of /proc for the tree: sample less often
        intervalMs: opts.intervalMs ?? (cgroup ? 100 : 500),
      });
    },
    finish(result) {
      watch?.stop();
      const notes: string[] = [];
      const refused = cgroup?.refusedForks() ?? 0;
      if (refused > 0) notes.push(`${refused} process creations refused; the limit is ${limits.processes} processes`);
      let killed = watch?.reason() ?? null;
      if (!killed && (cgroup?.oomKills() ?? 0) > 0) {
        killed = `killed: memory limit memoryMb=${limits.memoryMb} (all processes of the command together); use less memory, e.g. fewer parallel jobs or smaller inputs`;
      }
      if (killed) notes.push(killed);
      if (notes.length === 0) return result;
      const sep = result.stderr && !result.stderr.endsWith("\n") ? "\n" : "";
      return { ...result, stderr: result.stderr + sep + notes.map((n) => `[sandbox: ${n}]`).join("\n"), ...(killed ? { killed } : {}) };
    },
    dispose() {
      watch?.stop();
      // Not awaited: runProcess has already seen bwrap exit, and killing bwrap ends its PID
      // namespace; dispose only reaps the folders (and SIGKILLs anything that somehow lingers).
      void cgroup?.dispose();
    },
  };
}

function signal(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone already
  }
}
