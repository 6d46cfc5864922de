/**
 * The cluster contract: what several gateway nodes on one database need from each other
 * (docs/cluster-leases.md). One implementation per store driver:
 *
 * - `SingleNodeCluster` (SQLite, the memory store): one node, every lease granted at once, the
 *   node is always leader, recovery is "every unfinished run is not running here any more".
 * - `PgCluster` (postgres/cluster.ts): a node registry with heart-beats on the database clock,
 *   lease rows that are valid while their node's heart-beat is younger than `leaseTtlMs`.
 *
 * Rank 2 (store): no agent or gateway types here; the runtime passes plain callbacks.
 */
import { hostname } from "node:os";
import type { SessionStore, UnfinishedRun } from "./types.ts";

/** A run lease held by this node; `lost` aborts when the node can no longer vouch for it. */
export interface RunLease {
  /** aborted when this node considers its leases lost (heart-beat not written for longer than the TTL) */
  readonly lost: AbortSignal;
  /** gives the session lease up (idempotent) and wakes waiters on other nodes */
  release(): Promise<void>;
}

/** `mark` records the orphan (run_finished "interrupted") and tells subscribers; false = not marked (e.g. the run is live here). */
export type OrphanMarker = (run: UnfinishedRun) => Promise<boolean>;

export interface NodeInfo {
  id: string;
  host: string;
  pid: number;
  /** epoch ms, database clock */
  started: number;
  heartbeat: number;
  alive: boolean;
}

export interface ClusterDescription {
  driver: "sqlite" | "postgres" | "memory";
  nodeId: string;
  nodes: NodeInfo[];
  leases: { name: string; node: string }[];
}

export interface Cluster {
  readonly nodeId: string;
  /** true when other nodes may share the store (PostgreSQL) */
  readonly multiNode: boolean;
  /** how often the node heart-beats (and sweeps); periodic work of other parts may follow it */
  readonly heartbeatMs?: number;
  /** registers the node and starts heart-beating; idempotent */
  start(): Promise<void>;
  /**
   * Resolves once this node holds the lease of `sessionKey` and no unfinished run of that session
   * with a lower `userSeq` remains anywhere (runs execute in user-message order cluster-wide).
   * Database errors while waiting are retried; rejects only with the signal's reason when aborted.
   */
  acquireRun(sessionKey: string, userSeq: number, signal?: AbortSignal): Promise<RunLease>;
  /**
   * Unfinished runs whose node is gone are handed to `mark`, each under its session's lease, so
   * exactly one node marks each. Also this node's own runs older than the lease TTL (a run whose last
   * write failed while the database was away): `mark` must skip the ones still live here.
   * Returns the runs this call marked.
   */
  sweepOrphans(mark: OrphanMarker): Promise<UnfinishedRun[]>;
  /** Leader election for `role` (e.g. "telegram-poller"): `onChange(true)` when gained, `(false)` when lost. Returns a stop (releases it). */
  leader(role: string, onChange: (leader: boolean) => void): () => Promise<void>;
  describe(): Promise<ClusterDescription>;
  /** releases what this node holds and marks the node gone */
  close(): Promise<void>;
}

export function newNodeId(): string {
  const rnd = Math.random().toString(36).slice(2, 8).padEnd(6, "0");
  return `${hostname().replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 40)}-${process.pid}-${rnd}`;
}

const NEVER_LOST = new AbortController().signal;

/** One node alone on its store: leases are granted at once (the runtime's lanes already order a session's runs). */
export class SingleNodeCluster implements Cluster {
  readonly nodeId: string;
  readonly multiNode = false;
  readonly #store: () => SessionStore;
  readonly #driver: ClusterDescription["driver"];
  readonly #started = Date.now();
  readonly #leaders = new Map<string, (leader: boolean) => void>();

  /** `store` may be a getter (the runtime's store can be replaced after the cluster was made) */
  constructor(store: SessionStore | (() => SessionStore), opts: { nodeId?: string; driver?: ClusterDescription["driver"] } = {}) {
    this.#store = typeof store === "function" ? store : () => store;
    this.nodeId = opts.nodeId ?? newNodeId();
    this.#driver = opts.driver ?? "sqlite";
  }

  async start(): Promise<void> {}

  async acquireRun(_sessionKey: string, _userSeq: number, signal?: AbortSignal): Promise<RunLease> {
    signal?.throwIfAborted();
    return { lost: NEVER_LOST, release: async () => {} };
  }

  /** Every unfinished run in the store is an orphan: this is the only node. */
  async sweepOrphans(mark: OrphanMarker): Promise<UnfinishedRun[]> {
    const out: UnfinishedRun[] = [];
    for (const u of await this.#store().listUnfinishedRuns()) if (await mark(u)) out.push(u);
    return out;
  }

  leader(role: string, onChange: (leader: boolean) => void): () => Promise<void> {
    this.#leaders.set(role, onChange);
    queueMicrotask(() => onChange(true));
    return async () => {
      if (this.#leaders.get(role) === onChange) this.#leaders.delete(role);
    };
  }

  async describe(): Promise<ClusterDescription> {
    const node: NodeInfo = { id: this.nodeId, host: hostname(), pid: process.pid, started: this.#started, heartbeat: Date.now(), alive: true };
    return { driver: this.#driver, nodeId: this.nodeId, nodes: [node], leases: [...this.#leaders.keys()].map((r) => ({ name: `leader:${r}`, node: this.nodeId })) };
  }

  async close(): Promise<void> {
    this.#leaders.clear();
  }
}
