/**
 * With several nodes on one database: every heart-beat interval, runs whose node died while we run
 * are marked `interrupted` (the runtime's recoverInterrupted → the cluster's sweep; exactly one node
 * marks each). One node alone needs nothing after the start-up recovery.
 */
import { errorMessage } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";
import type { AgentRuntime } from "../agent/runtime.ts";

export function startOrphanSweep(runtime: AgentRuntime, everyMs: number, log: Logger): () => void {
  if (!runtime.cluster.multiNode) return () => {};
  const timer = setInterval(() => {
    runtime.recoverInterrupted().catch((err: unknown) => log.warn("the orphaned-run sweep failed; retrying with the next heart-beat", { error: errorMessage(err) }));
  }, everyMs);
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}
