/**
 * Per-exec cgroups: a `pids` limit (fork bombs: the kernel never enforces RLIMIT_NPROC for root)
 * and a `memory` limit for the whole command tree (RLIMIT_AS binds each process alone: six
 * processes under a 1 GiB rlimit reached 4.25 GB). The host-side wrapper joins every folder of the
 * exec before it execs bwrap, so no process of the exec starts outside them.
 *
 * - cgroup v1: one folder per controller, `/sys/fs/cgroup/{pids,memory}/openclaw-sandbox/<exec>`
 *   (`pids.max`; `memory.limit_in_bytes`, and `memory.memsw.limit_in_bytes` equal to it where swap
 *   accounting exists, so the limit cannot be dodged into swap).
 * - cgroup v2: one folder `/sys/fs/cgroup/openclaw-sandbox/<exec>` with `pids.max`, `memory.max`,
 *   `memory.swap.max = 0`.
 * Each controller is used when it is available and writable (root, or a delegated subtree), and
 * skipped otherwise; the executor reports which ones it has (`status().details`).
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processAlive } from "../core/pid.ts";
import { realHostView } from "./host-view.ts";

export type CgroupMode = "cgroup-v1" | "cgroup-v2";

export interface CgroupBases {
  mode: CgroupMode;
  /** base folder for pids, or null when that controller is unusable */
  pids: string | null;
  memory: string | null;
}

export interface CgroupRoots {
  /** the cgroup v1 mount parent (holding pids/, memory/) or the v2 mount; default /sys/fs/cgroup */
  root?: string;
}

const ROOT = "/sys/fs/cgroup";
const BASE_NAME = "openclaw-sandbox";

let detected: CgroupBases | null | undefined;

/** Finds (once, unless `roots` is given) the controllers this process can create exec folders in. */
export function cgroupBases(roots: CgroupRoots = {}): CgroupBases | null {
  if (detected !== undefined && !roots.root) return detected;
  const root = roots.root ?? ROOT;
  let found: CgroupBases | null = null;
  if (existsSync(join(root, "pids", "cgroup.procs")) || existsSync(join(root, "memory", "cgroup.procs"))) {
    found = { mode: "cgroup-v1", pids: v1Base(join(root, "pids")), memory: v1Base(join(root, "memory")) };
  } else if (existsSync(join(root, "cgroup.controllers"))) {
    const available = readFileSync(join(root, "cgroup.controllers"), "utf8").split(/\s+/);
    const wanted = ["pids", "memory"].filter((c) => available.includes(c));
    const base = v2Base(root, wanted);
    const enabled = base ? readOr(join(base, "cgroup.subtree_control")).split(/\s+/) : [];
    found = { mode: "cgroup-v2", pids: enabled.includes("pids") ? base : null, memory: enabled.includes("memory") ? base : null };
  }
  if (found && !found.pids && !found.memory) found = null;
  for (const b of new Set([found?.pids, found?.memory])) if (b) sweepStale(b);
  if (!roots.root) detected = found;
  return found;
}

/**
 * v1: below the controller's root, like the pids folder. Not below the gateway's own cgroup: the
 * base folder stays between execs and would keep a service manager from removing that cgroup.
 */
function v1Base(controller: string): string | null {
  if (!existsSync(join(controller, "cgroup.procs"))) return null;
  try {
    const base = join(controller, BASE_NAME);
    mkdirSync(base, { recursive: true });
    return base;
  } catch {
    return null; // not root or no delegation
  }
}

function v2Base(root: string, controllers: string[]): string | null {
  try {
    enable(root, controllers);
    const base = join(root, BASE_NAME);
    mkdirSync(base, { recursive: true });
    enable(base, controllers);
    return base;
  } catch {
    return null;
  }
}

function enable(dir: string, controllers: string[]): void {
  const ctl = join(dir, "cgroup.subtree_control");
  const on = readOr(ctl).split(/\s+/);
  for (const c of controllers) {
    if (on.includes(c)) continue;
    try {
      writeFileSync(ctl, `+${c}`);
    } catch {
      // this controller cannot be delegated here: the others still can
    }
  }
}

/** Removes empty per-exec folders whose gateway pid is gone (a crash between create and cleanup). */
function sweepStale(base: string): void {
  for (const name of realHostView.readdir(base)) {
    const owner = Number(name.split("-")[0]);
    if (!Number.isInteger(owner) || owner === process.pid || processAlive(owner)) continue; // not an exec folder, ours, or live
    try {
      rmdirSync(join(base, name));
    } catch {
      // still has processes, or not ours to remove
    }
  }
}

let counter = 0;

export interface ExecCgroup {
  /** the `cgroup.procs` files the wrapper writes itself into (one per v1 controller, one in v2) */
  procsPaths: string[];
  /** pids.events `max` count: forks refused so far */
  refusedForks(): number;
  /** processes the kernel OOM-killed for the memory limit */
  oomKills(): number;
  /** every process now in the exec */
  pids(): number[];
  /** Kill whatever is still inside, wait (bounded) until empty, remove the folders. */
  dispose(): Promise<void>;
}

export function createExecCgroup(bases: CgroupBases, limits: { maxPids: number; memoryBytes: number }): ExecCgroup {
  const name = `${process.pid}-${Date.now().toString(36)}-${++counter}`;
  const dirs: string[] = [];
  const make = (base: string) => {
    const dir = join(base, name);
    if (!dirs.includes(dir)) {
      mkdirSync(dir);
      dirs.push(dir);
    }
    return dir;
  };
  try {
    const pidsDir = bases.pids ? make(bases.pids) : null;
    const memDir = bases.memory ? make(bases.memory) : null;
    if (pidsDir) writeFileSync(join(pidsDir, "pids.max"), String(limits.maxPids));
    if (memDir) setMemory(bases.mode, memDir, limits.memoryBytes);
    const events = (dir: string | null, file: string, key: string) =>
      dir ? Number(new RegExp(`(?:^|\\n)${key} (\\d+)`).exec(readOr(join(dir, file)))?.[1] ?? 0) : 0;
    const first = dirs[0] as string;
    return {
      procsPaths: dirs.map((d) => join(d, "cgroup.procs")),
      refusedForks: () => events(pidsDir, "pids.events", "max"),
      oomKills: () => events(memDir, bases.mode === "cgroup-v1" ? "memory.oom_control" : "memory.events", "oom_kill"),
      pids: () => readPids(join(first, "cgroup.procs")),
      dispose: () => dispose(dirs),
    };
  } catch (err) {
    for (const d of dirs.reverse()) tryRmdir(d);
    throw err;
  }
}

function setMemory(mode: CgroupMode, dir: string, bytes: number): void {
  if (mode === "cgroup-v2") {
    writeFileSync(join(dir, "memory.max"), String(bytes));
    if (existsSync(join(dir, "memory.swap.max"))) writeFileSync(join(dir, "memory.swap.max"), "0");
    return;
  }
  writeFileSync(join(dir, "memory.limit_in_bytes"), String(bytes));
  if (existsSync(join(dir, "memory.memsw.limit_in_bytes"))) writeFileSync(join(dir, "memory.memsw.limit_in_bytes"), String(bytes));
}

async function dispose(dirs: string[]): Promise<void> {
  // The kernel frees an emptied cgroup asynchronously (rmdir says EBUSY for a few ms), so callers
  // need not await this: it kills stragglers and retries with a growing pause.
  let left = [...dirs];
  for (let i = 0, pause = 5; i < 12 && left.length > 0; i++, pause = Math.min(pause * 2, 500)) {
    for (const dir of left) for (const pid of readPids(join(dir, "cgroup.procs"))) kill(pid);
    left = left.filter((dir) => readPids(join(dir, "cgroup.procs")).length > 0 || !tryRmdir(dir));
    if (left.length > 0) await new Promise((r) => setTimeout(r, pause));
  }
  // Anything left goes to sweepStale after this gateway exits; its processes were SIGKILLed above.
}

function tryRmdir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

function kill(pid: number): void {
  if (!Number.isSafeInteger(pid) || pid <= 0) return; // 0 (a process of another pid namespace) would be our own group
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function readPids(procsPath: string): number[] {
  return readOr(procsPath).split("\n").filter(Boolean).map(Number);
}

/** The file's text, "" when it cannot be read. */
function readOr(p: string): string {
  return realHostView.readText(p) ?? "";
}
