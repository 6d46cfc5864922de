/**
 * With several nodes on one database: every heart-beat interval, runs whose node died while we run
 * are marked `interrupted` (the runtime's recoverInterrupted → the cluster's sweep; exactly one node
 * marks each). One node alone needs nothing after the start-up recovery.
 */
import { errorMessage } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";
import type { AgentRuntime } from "../agent/runtime.ts";
import type { AgentRouter } from "./agent-router.ts";

/** runs in flight in this process, every agent's (the sweep must not mark one of them) */
export const liveIn = (router: AgentRouter) => (runId: string): boolean => router.runs().some((r) => r.runId === runId);

export function startOrphanSweep(runtime: AgentRuntime, router: AgentRouter, everyMs: number, log: Logger): () => void {
  if (!runtime.cluster.multiNode) return () => {};
  const timer = setInterval(() => {
    runtime.recoverInterrupted(liveIn(router)).catch((err: unknown) => log.warn("the orphaned-run sweep failed; retrying with the next heart-beat", { error: errorMessage(err) }));
  }, everyMs);
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}
