/**
 * Resource limits for one plugin process: a per-process pids and memory cgroup (the tools'
 * src/sandbox/cgroup.ts), joined by a `/bin/sh` wrapper before it execs bwrap, so the plugin and
 * everything it forks stay inside. Without the limits a plugin could fork-bomb the host or take
 * memory until the kernel's OOM killer picks a victim — possibly the gateway. The memory limit
 * OOM-kills the plugin instead: its process exits, which is a crash (restart, then disable).
 * No rlimits: `ulimit -v` breaks Bun's large virtual reservations and a CPU-seconds limit would
 * end a long-running plugin. Without usable cgroups the process runs unconfined and `confine`
 * says so once in the log.
 */
import { cgroupBases, createExecCgroup, type CgroupBases } from "../sandbox/cgroup.ts";

export interface PluginResources {
  memoryBytes: number;
  maxPids: number;
}

export const DEFAULT_PLUGIN_RESOURCES: PluginResources = { memoryBytes: 1024 << 20, maxPids: 256 };

export interface Confined {
  argv: string[];
  /** kills whatever is left inside and removes the cgroup */
  dispose(): void;
  /** true when the kernel OOM-killed a process of this plugin */
  oomKilled(): boolean;
}

const JOIN = 'IFS=:; for f in $1; do echo 0 > "$f" || { echo "openclaw plugin sandbox: cannot join the cgroup $f" >&2; exit 125; }; done; unset IFS; shift; exec "$@"';

/** `argv` wrapped to run inside a fresh cgroup; `null` when this host has no usable cgroup. */
export function confine(argv: string[], limits: PluginResources, bases: CgroupBases | null = cgroupBases()): Confined | null {
  if (!bases) return null;
  const cg = createExecCgroup(bases, limits);
  return {
    argv: ["/bin/sh", "-c", JOIN, "openclaw-plugin", cg.procsPaths.join(":"), ...argv],
    dispose: () => void cg.dispose(),
    oomKilled: () => cg.oomKills() > 0,
  };
}
