/**
 * Process liveness by pid, for lock files and registries that name their owner by pid. Only a
 * positive integer can name a process: `kill(0, …)` would address our own process group and
 * `kill(-1, …)` every process we may signal, so anything else is "not alive" (and never signalled).
 */

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
