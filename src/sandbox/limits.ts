/**
 * Resource limits for one sandboxed exec.
 *
 * - CPU seconds, address space, file size, open files and core size are rlimits set by the host-side
 *   wrapper shell right before it `exec`s bwrap, so they bind bwrap and everything under it.
 * - The process count cannot be an rlimit when the gateway runs as root (the kernel never enforces
 *   RLIMIT_NPROC for uid 0, measured also inside a user namespace). So a fork bomb is held by a
 *   per-exec **pids cgroup** (v1 `pids` controller or cgroup v2) that the wrapper joins before it
 *   execs bwrap: no process of the exec can start outside it. Without a writable pids cgroup, a
 *   non-root gateway gets RLIMIT_NPROC set inside the sandbox (counted per user namespace, so per
 *   exec); a root gateway without one gets no process limit, only the wall-clock kill, which the
 *   probe reports and the log warns about.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SandboxLimits } from "../config/schema.ts";

export type PidsMode = "cgroup-v1" | "cgroup-v2" | "rlimit" | "none";

export interface PidsCgroupBase {
  mode: "cgroup-v1" | "cgroup-v2";
  base: string;
}

const V1_ROOT = "/sys/fs/cgroup/pids";
const V2_ROOT = "/sys/fs/cgroup";
const BASE_NAME = "openclaw-sandbox";

let detected: PidsCgroupBase | null | undefined;

/**
 * Finds (once) a pids cgroup this process can create children in, preparing our base folder and
 * sweeping folders left by dead gateways. Null when there is none (not root, no controller).
 */
export function pidsCgroupBase(roots: { v1?: string; v2?: string } = {}): PidsCgroupBase | null {
  if (detected !== undefined && !roots.v1 && !roots.v2) return detected;
  const v1 = roots.v1 ?? V1_ROOT;
  const v2 = roots.v2 ?? V2_ROOT;
  let found: PidsCgroupBase | null = null;
  try {
    if (existsSync(join(v1, "cgroup.procs"))) {
      const base = join(v1, BASE_NAME);
      mkdirSync(base, { recursive: true });
      found = { mode: "cgroup-v1", base };
    } else if (existsSync(join(v2, "cgroup.controllers")) && readFileSync(join(v2, "cgroup.controllers"), "utf8").split(/\s+/).includes("pids")) {
      enableV2Pids(v2);
      const base = join(v2, BASE_NAME);
      mkdirSync(base, { recursive: true });
      enableV2Pids(base);
      found = { mode: "cgroup-v2", base };
    }
  } catch {
    found = null; // not root or no delegation: fall back (see the file comment)
  }
  if (found) sweepStale(found.base);
  if (!roots.v1 && !roots.v2) detected = found;
  return found;
}

function enableV2Pids(dir: string): void {
  const ctl = join(dir, "cgroup.subtree_control");
  if (!readFileSync(ctl, "utf8").split(/\s+/).includes("pids")) writeFileSync(ctl, "+pids");
}

/** Removes empty per-exec folders whose gateway pid is gone (a crash between create and cleanup). */
function sweepStale(base: string): void {
  try {
    for (const name of readdirSync(base)) {
      const owner = Number(name.split("-")[0]);
      if (!Number.isInteger(owner) || owner === process.pid || alive(owner)) continue;
      try {
        rmdirSync(join(base, name));
      } catch {
        // still has processes, or not ours to remove
      }
    }
  } catch {
    // unreadable base: nothing to sweep
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

let counter = 0;

export interface ExecCgroup {
  /** the `cgroup.procs` file the wrapper writes itself into */
  procsPath: string;
  dir: string;
  /** pids.events `max` count: forks refused so far */
  refusedForks(): number;
  /** Kill whatever is still inside, wait (bounded) until empty, remove the folder. */
  dispose(): Promise<void>;
}

export function createExecCgroup(base: PidsCgroupBase, maxPids: number): ExecCgroup {
  const dir = join(base.base, `${process.pid}-${Date.now().toString(36)}-${++counter}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "pids.max"), String(maxPids));
  const procsPath = join(dir, "cgroup.procs");
  return {
    procsPath,
    dir,
    refusedForks: () => {
      try {
        return Number(/max (\d+)/.exec(readFileSync(join(dir, "pids.events"), "utf8"))?.[1] ?? 0);
      } catch {
        return 0;
      }
    },
    dispose: async () => {
      // The kernel frees an emptied cgroup asynchronously (rmdir says EBUSY for a few ms), so
      // callers need not await this: it kills stragglers and retries with a growing pause.
      for (let i = 0, pause = 5; i < 12; i++, pause = Math.min(pause * 2, 500)) {
        const pids = readPids(procsPath);
        if (pids.length === 0) {
          try {
            rmdirSync(dir);
            return;
          } catch {
            // EBUSY right after the last exit: try again
          }
        }
        for (const pid of pids) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // already gone
          }
        }
        await new Promise((r) => setTimeout(r, pause));
      }
      // Left for sweepStale after this gateway exits; the processes in it were SIGKILLed above.
    },
  };
}

function readPids(procsPath: string): number[] {
  try {
    return readFileSync(procsPath, "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * The host-side wrapper: join the cgroup (if any), set the rlimits, exec the rest of argv.
 * Fails closed with exit 125 if the cgroup cannot be joined. Units: `ulimit -v` KiB and `-f`
 * 512-byte blocks in both dash and bash, which is what /bin/sh is on the systems we support.
 */
export function wrapperArgv(limits: SandboxLimits, procsPath: string | null, rest: string[]): string[] {
  const script = [
    'if [ -n "$1" ]; then echo 0 > "$1" || { echo "openclaw sandbox: cannot join the pids cgroup $1" >&2; exit 125; }; fi',
    'ulimit -c 0 && ulimit -t "$2" && ulimit -v "$3" && ulimit -f "$4" && ulimit -n "$5" || { echo "openclaw sandbox: cannot set resource limits" >&2; exit 125; }',
    "shift 5",
    'exec "$@"',
  ].join("\n");
  return [
    "/bin/sh",
    "-c",
    script,
    "openclaw-sandbox",
    procsPath ?? "",
    String(limits.cpuSeconds),
    String(limits.memoryMb * 1024),
    String(limits.fileSizeMb * 2048),
    String(limits.openFiles),
    ...rest,
  ];
}

/** Inside the sandbox (mode `rlimit` only): RLIMIT_NPROC, then the command. `-u` in bash, `-p` in dash. */
export function innerNprocArgv(processes: number, command: string): string[] {
  const script = `{ ulimit -u ${processes} || ulimit -p ${processes}; } 2>/dev/null || { echo "openclaw sandbox: cannot limit processes" >&2; exit 125; }\nexec /bin/sh -c "$1"`;
  return ["/bin/sh", "-c", script, "sh", command];
}
