/**
 * The `cluster` part of the `status` method: this node's id and, with several nodes on one database,
 * how many are alive and how many leases this node holds. Bounded: an unreachable database makes
 * it say so (`error`) within 2 s instead of holding `status` up.
 */
import { errorMessage } from "../../../core/errors.ts";
import type { Cluster } from "../../../store/cluster.ts";

export interface ClusterStatus {
  nodeId: string;
  multiNode: boolean;
  nodesAlive?: number;
  /** leases held by this node: runs in flight (`session:…`) and leader roles */
  leasesHeld?: number;
  leader?: string[];
  error?: string;
}

export async function clusterStatus(cluster: Cluster, timeoutMs = 2000): Promise<ClusterStatus> {
  const base = { nodeId: cluster.nodeId, multiNode: cluster.multiNode };
  if (!cluster.multiNode) return base;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const d = await Promise.race([
      cluster.describe(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the database did not answer within ${timeoutMs} ms`)), timeoutMs))),
    ]);
    const mine = d.leases.filter((l) => l.node === cluster.nodeId);
    return {
      ...base, nodesAlive: d.nodes.filter((n) => n.alive).length, leasesHeld: mine.length,
      leader: mine.filter((l) => l.name.startsWith("leader:")).map((l) => l.name.slice("leader:".length)),
    };
  } catch (err) {
    return { ...base, error: errorMessage(err) };
  } finally {
    clearTimeout(timer);
  }
}
