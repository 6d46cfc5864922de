/**
 * A run's cluster lease (store/cluster.ts), taken by the runtime before the run executes. With one
 * node there is nothing to take. With several: the run gives its `maxConcurrent` permit back while it
 * waits (a run waiting on another node never blocks this node's other sessions), takes the session's
 * lease (it is then next cluster-wide, in user-message order), then a permit again.
 * - aborted while waiting → undefined; executeRun, seeing the aborted signal, records the run aborted;
 * - the wait fails otherwise (the cluster closed) → the run is stopped: it never runs unleased;
 * - the lease is lost while running (database unreachable longer than the TTL) → the run is aborted.
 */
import { errorMessage } from "../core/errors.ts";
import type { Cluster, RunLease } from "../store/cluster.ts";
import type { LaneJob, Lanes } from "./lanes.ts";
import { stopRun, type RunState } from "./loop.ts";

const LOST = "aborted: this node lost the session's lease (the database was unreachable for longer than storage.cluster.leaseTtlMs)";

export async function takeRunLease(cluster: Cluster, lanes: Lanes, job: LaneJob, state: RunState): Promise<RunLease | undefined> {
  if (!cluster.multiNode) return undefined;
  const signal = state.controller.signal;
  lanes.park(job);
  let lease: RunLease;
  try {
    lease = await cluster.acquireRun(state.sessionKey, state.userSeq, signal);
  } catch (err) {
    if (!signal.aborted) stopRun(state, { outcome: "aborted", cause: "shutdown", reason: `aborted: ${errorMessage(err)}` });
    return undefined; // recording the aborted run needs no permit
  }
  // a permit again before the run goes on; an abort meanwhile ends it without waiting for one
  await Promise.race([lanes.unpark(job), new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener("abort", () => r(), { once: true })))]);
  const onLost = () => stopRun(state, { outcome: "aborted", cause: "aborted", reason: LOST });
  if (lease.lost.aborted) onLost();
  else lease.lost.addEventListener("abort", onLost, { once: true });
  return lease;
}
