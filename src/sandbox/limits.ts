/**
 * Resource limits for one sandboxed exec.
 *
 * - CPU seconds, address space, file size, open files and core size are rlimits set by the host-side
 *   wrapper shell right before it `exec`s bwrap, so they bind bwrap and everything under it.
 * - The process count cannot be an rlimit when the gateway runs as root (the kernel never enforces
 *   RLIMIT_NPROC for uid 0, measured also inside a user namespace). So a fork bomb is held by a
 *   per-exec **pids cgroup**, and the whole tree's memory by a **memory cgroup** (cgroup.ts), that
 *   the wrapper joins before it execs bwrap: no process of the exec can start outside them. Without a writable pids cgroup, a
 *   non-root gateway gets RLIMIT_NPROC set inside the sandbox (counted per user namespace, so per
 *   exec); a root gateway without one gets no process limit, only the wall-clock kill, which the
 *   probe reports and the log warns about.
 */
import type { SandboxLimits } from "../config/schema.ts";

export type PidsMode = "cgroup-v1" | "cgroup-v2" | "rlimit" | "none";

/**
 * The host-side wrapper: join the exec's cgroups (if any), set the rlimits, exec the rest of argv.
 * Fails closed with exit 125 if a cgroup cannot be joined. Units: `ulimit -v` KiB and `-f`
 * 512-byte blocks in both dash and bash, which is what /bin/sh is on the systems we support.
 */
export function wrapperArgv(limits: SandboxLimits, procsPaths: readonly string[], rest: string[]): string[] {
  const script = [
    'IFS=:; for f in $1; do echo 0 > "$f" || { echo "openclaw sandbox: cannot join the cgroup $f" >&2; exit 125; }; done; unset IFS',
    'ulimit -c 0 && ulimit -t "$2" && ulimit -v "$3" && ulimit -f "$4" && ulimit -n "$5" || { echo "openclaw sandbox: cannot set resource limits" >&2; exit 125; }',
    "shift 5",
    'exec "$@"',
  ].join("\n");
  return [
    "/bin/sh",
    "-c",
    script,
    "openclaw-sandbox",
    procsPaths.join(":"),
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
