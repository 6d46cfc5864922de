/**
 * The start-up probe for `standard` / `strict`: find bwrap, then run `true` through the exact
 * sandbox the executor will use (same flags, binds, limits, cgroup, seccomp). Any failure yields
 * `ok: false` with a reason that says why and how to fix it; the executor then refuses every exec
 * and file call with `SandboxUnavailableError` carrying that reason. There is no fallback to `off`.
 *
 * Results are cached per distinct setup for the life of the process (a config reload with the same
 * sandbox settings does not re-probe).
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import type { ExecResult, ExecutorStatus } from "./executor.ts";
import type { SandboxLevel } from "../config/schema.ts";

export const PATH_DEFAULT = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const OFF_HINT = 'or, knowing that tools then run unsandboxed on this host, set agents.defaults.sandbox.level to "off"';

/** Resolve the bwrap binary: the configured path, else the first executable `bwrap` on PATH. */
export function findBwrap(configured?: string, searchPath = process.env.PATH || PATH_DEFAULT): { path: string } | { error: string } {
  if (configured) {
    if (!isAbsolute(configured)) return { error: `agents.defaults.sandbox.bwrapPath must be an absolute path (got ${configured})` };
    return isExecutable(configured)
      ? { path: configured }
      : { error: `bubblewrap not found at ${configured} (agents.defaults.sandbox.bwrapPath). ${installHint()}; or fix or remove bwrapPath; ${OFF_HINT}.` };
  }
  for (const dir of searchPath.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "bwrap");
    if (isExecutable(candidate)) return { path: candidate };
  }
  return { error: `bubblewrap (bwrap) is not installed or not on PATH. ${installHint()}; or set agents.defaults.sandbox.bwrapPath; ${OFF_HINT}.` };
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function installHint(): string {
  return "Install it: `sudo apt-get install bubblewrap` (Debian/Ubuntu), `sudo dnf install bubblewrap` (Fedora/RHEL), `sudo pacman -S bubblewrap` (Arch), `sudo apk add bubblewrap` (Alpine)";
}

/** Turn bwrap's complaint into why + how to fix. */
export function explainFailure(level: SandboxLevel, result: Pick<ExecResult, "exitCode" | "stderr" | "signal">): string {
  const err = result.stderr.trim();
  const head = `The ${level} sandbox cannot start: bwrap failed (${err || `exit ${result.exitCode ?? result.signal}`}).`;
  if (/uid map|setting up uid|Permission denied|No permissions to creat|Operation not permitted|user namespace/i.test(err)) {
    return (
      `${head} Unprivileged user namespaces are blocked on this host. ` +
      "On Ubuntu 23.10+/24.04 (AppArmor): `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` " +
      "(persist it in /etc/sysctl.d/60-userns.conf) or install an AppArmor profile that grants bwrap `userns`; " +
      "elsewhere: `sudo sysctl -w kernel.unprivileged_userns_clone=1` and `sudo sysctl -w user.max_user_namespaces=15000`; " +
      `inside Docker, run with a seccomp profile that allows unshare/clone (or use the container as the boundary); ${OFF_HINT}.`
    );
  }
  if (/make \/ slave|pivot_root|mount/i.test(err)) {
    return `${head} The mount setup was refused, which happens inside containers (Docker, overlayfs). Run the gateway on the host or in a container started with --privileged or a seccomp/AppArmor profile that allows mounts in user namespaces; ${OFF_HINT}.`;
  }
  if (/pids cgroup|resource limits/i.test(err)) {
    return `${head} The resource limits could not be applied. Check that /bin/sh exists and that the gateway may write /sys/fs/cgroup; ${OFF_HINT}.`;
  }
  if (/seccomp/i.test(err)) {
    return `${head} The kernel refused the seccomp filter (CONFIG_SECCOMP_FILTER missing?). Use level "standard" instead; ${OFF_HINT}.`;
  }
  return `${head} Try \`bwrap --unshare-all --die-with-parent --ro-bind / / true\` by hand to see the whole error; ${OFF_HINT}.`;
}

const cache = new Map<string, Promise<ExecutorStatus>>();

/** Run `probe` once per `key`; later calls share the promise. */
export function cachedProbe(key: string, level: SandboxLevel, probe: () => Promise<ExecutorStatus>): Promise<ExecutorStatus> {
  let p = cache.get(key);
  if (!p) {
    p = probe().catch((err: unknown): ExecutorStatus => ({ level, ok: false, reason: `The ${level} sandbox cannot start: ${(err as Error).message}; ${OFF_HINT}.` }));
    cache.set(key, p);
  }
  return p;
}

/** Tests only: forget cached results. */
export function clearProbeCache(): void {
  cache.clear();
}
