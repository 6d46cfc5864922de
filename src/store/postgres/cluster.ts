/**
 * `PgCluster`: the cluster contract (store/cluster.ts) on PostgreSQL. Each gateway process is a row
 * in `nodes` and writes a heart-beat every `heartbeatMs` (database clock). A lease (`leases` row) is
 * valid while its node's heart-beat is younger than `leaseTtlMs`; taking one is a single upsert
 * that succeeds only when it is free, ours or its node is dead (cluster-sql.ts). A release deletes
 * the row and sends a NOTIFY on the schema's lease channel: waiters on every node wake at once;
 * they also poll at the heart-beat rate, which is what notices a dead holder.
 *
 * A node that could not write its heart-beat for longer than the TTL (measured from when the last
 * successful one was sent) considers every lease it holds lost: run leases abort (`RunLease.lost`),
 * leaders are told `false`. Another node may already have taken them over.
 */
import { SQL } from "bun";
import { hostname } from "node:os";
import { AbortedError, errorMessage } from "../../core/errors.ts";
import { createLogger, type Logger } from "../../core/log.ts";
import type { Cluster, ClusterDescription, OrphanMarker, RunLease } from "../cluster.ts";
import { newNodeId } from "../cluster.ts";
import type { UnfinishedRun } from "../types.ts";
import * as Q from "./cluster-sql.ts";
import { mapPgError } from "./errors.ts";
import type { Row } from "./rows.ts";

export interface PgClusterOptions {
  url: string;
  schema?: string;
  nodeId?: string;
  /** a lease is valid while its node's heart-beat is younger than this (default 15,000 ms) */
  leaseTtlMs?: number;
  /** heart-beat and poll interval (default 5,000 ms) */
  heartbeatMs?: number;
  log?: Logger;
}

interface Held {
  controller: AbortController;
}

interface LeaderEntry {
  role: string;
  onChange: (leader: boolean) => void;
  leader: boolean;
  stopped: boolean;
}

export const sessionLease = (sessionKey: string): string => `session:${sessionKey}`;
export const leaderLease = (role: string): string => `leader:${role}`;

export class PgCluster implements Cluster {
  readonly nodeId: string;
  readonly multiNode = true;
  readonly schema: string;
  readonly ttlMs: number;
  readonly heartbeatMs: number;
  readonly #sql: SQL;
  readonly #log: Logger;
  readonly #channel: string;
  #started: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  /** performance.now() when the last heart-beat that succeeded was sent */
  #lastOk = 0;
  #beating = false;
  #lost = false;
  readonly #held = new Map<string, Held>();
  /** leases whose release failed (database down): retried every tick, else other nodes would wait for our death */
  readonly #unreleased = new Set<string>();
  /** waiters per lease name: a release wakes only the ones waiting for that lease ("" wakes all) */
  readonly #wakers = new Map<string, Set<() => void>>();
  readonly #leaders = new Set<LeaderEntry>();
  #unlisten: (() => Promise<void>) | undefined;

  constructor(opts: PgClusterOptions) {
    this.schema = opts.schema ?? "openclaw";
    this.nodeId = opts.nodeId ?? newNodeId();
    this.ttlMs = opts.leaseTtlMs ?? 15_000;
    this.heartbeatMs = opts.heartbeatMs ?? 5_000;
    this.#log = opts.log ?? createLogger("cluster");
    this.#sql = new SQL(opts.url, { max: 3, connection: { search_path: this.schema } });
    this.#channel = `oc_lease_${this.schema}`.slice(0, 63);
  }

  async #q(doing: string, text: string, args: unknown[]): Promise<Row[]> {
    if (this.#closed) throw new AbortedError("the cluster connection is closed");
    try {
      return (await this.#sql.unsafe(text, args)) as Row[];
    } catch (err) {
      throw mapPgError(err, doing);
    }
  }

  start(): Promise<void> {
    return (this.#started ??= (async () => {
      const sent = performance.now();
      await this.#q("registering this node", Q.REGISTER, [this.nodeId, hostname(), process.pid]);
      this.#lastOk = sent;
      await this.#q("pruning old node rows", Q.PRUNE_NODES, []).catch(() => {});
      const sub = await this.#sql.listen(this.#channel, (name) => this.#wake(name)).catch((err: unknown) => {
        throw mapPgError(err, "listening for lease releases");
      });
      this.#unlisten = () => sub.unlisten();
      this.#timer = setInterval(() => void this.#tick(), this.heartbeatMs);
      (this.#timer as { unref?: () => void }).unref?.();
    })().catch((err: unknown) => {
      this.#started = undefined; // the next call tries again
      throw err;
    }));
  }

  #wake(name: string): void {
    const sets = name === "" ? [...this.#wakers.values()] : [this.#wakers.get(name)].filter((x) => x !== undefined);
    for (const set of sets) for (const w of [...set]) w();
  }

  /** Waits for a NOTIFY, a local release, the poll interval or the abort, whichever comes first. */
  #nap(name: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.#unwait(name, done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const t = setTimeout(done, this.heartbeatMs);
      this.#wait(name, done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  #wait(name: string, fn: () => void): void {
    let set = this.#wakers.get(name);
    if (!set) this.#wakers.set(name, (set = new Set()));
    set.add(fn);
  }

  #unwait(name: string, fn: () => void): void {
    const set = this.#wakers.get(name);
    if (set?.delete(fn) && set.size === 0) this.#wakers.delete(name);
  }

  async #tick(): Promise<void> {
    if (this.#closed) return;
    if (!this.#lost && performance.now() - this.#lastOk > this.ttlMs) this.#loseAll();
    if (this.#beating) return; // the last one still hangs (server unreachable): the check above still runs
    this.#beating = true;
    try {
      const sent = performance.now();
      let rows = await this.#q("writing the heart-beat", Q.HEARTBEAT, [this.nodeId]);
      if (rows.length === 0) {
        // our row was marked stopped or pruned (we were silent too long): register again; leases are gone
        this.#loseAll();
        await this.#q("registering this node", Q.REGISTER, [this.nodeId, hostname(), process.pid]);
        rows = [{}];
      }
      if (performance.now() - sent <= this.ttlMs) this.#lastOk = sent;
      if (this.#lost && performance.now() - this.#lastOk <= this.ttlMs) {
        // rows we still own count as valid again now that we are alive, but nobody here holds them (nothing
        // is taken while lost): give them all back before anything is taken anew, or they would block others
        const gone = await this.#q("releasing the leases lost with the heart-beat", Q.RELEASE_ALL, [this.nodeId]);
        for (const r of gone) await this.#q("waking lease waiters", "SELECT pg_notify($1, $2)", [this.#channel, r.name]);
        this.#lost = false;
        this.#log.info("the database heart-beat works again; leases are taken anew", { released: gone.length });
      }
      for (const name of [...this.#unreleased]) await this.#release(name);
      for (const e of [...this.#leaders]) await this.#campaign(e);
    } catch (err) {
      this.#log.warn("cluster heart-beat failed", { error: errorMessage(err) });
    } finally {
      this.#beating = false;
    }
  }

  #loseAll(): void {
    this.#lost = true;
    this.#log.warn(`no heart-beat written for over ${this.ttlMs} ms (storage.cluster.leaseTtlMs): this node's leases count as lost`, {
      leases: this.#held.size,
    });
    for (const [name, h] of this.#held) {
      h.controller.abort(new AbortedError(`this node lost the lease ${name}: the database was unreachable for longer than storage.cluster.leaseTtlMs`));
    }
    this.#held.clear();
    this.#unreleased.clear();
    for (const e of this.#leaders) this.#setLeader(e, false);
    this.#wake("");
  }

  #setLeader(e: LeaderEntry, leader: boolean): void {
    if (e.leader === leader || (leader && e.stopped)) return;
    e.leader = leader;
    this.#log.info(leader ? `this node is now the leader for ${e.role}` : `this node is no longer the leader for ${e.role}`);
    try {
      e.onChange(leader);
    } catch (err) {
      this.#log.warn("a leader callback threw", { role: e.role, error: errorMessage(err) });
    }
  }

  /** true when this node holds `name` now (taken or kept); false too when a local caller holds or is taking it */
  async #take(name: string, order?: { sessionKey: string; userSeq: number }): Promise<boolean> {
    if (this.#lost || this.#held.has(name) || this.#taking.has(name) || this.#unreleased.has(name)) return false;
    this.#taking.add(name);
    try {
      const rows = await this.#q("taking a lease", Q.ACQUIRE, [name, this.nodeId, this.ttlMs, order?.sessionKey ?? null, order?.userSeq ?? null]);
      return rows.length > 0;
    } finally {
      this.#taking.delete(name);
    }
  }

  readonly #taking = new Set<string>();

  async #release(name: string): Promise<void> {
    try {
      await this.#q("releasing a lease", Q.RELEASE, [name, this.nodeId, this.#channel]);
      this.#unreleased.delete(name);
    } catch (err) {
      if (this.#closed) return;
      this.#unreleased.add(name);
      this.#log.warn("could not release a lease; retrying with the next heart-beat", { lease: name, error: errorMessage(err) });
    }
  }

  #hold(name: string): RunLease {
    const controller = new AbortController();
    this.#held.set(name, { controller });
    let released = false;
    return {
      lost: controller.signal,
      release: async () => {
        if (released) return;
        released = true;
        if (this.#held.get(name)?.controller !== controller) return; // lost meanwhile: nothing to give back
        // the row goes first: a local caller taking the name before the DELETE would get "mine" and then lose it to the DELETE
        if (!this.#closed) await this.#release(name);
        if (this.#held.get(name)?.controller === controller) this.#held.delete(name);
        this.#wake(name);
      },
    };
  }

  async acquireRun(sessionKey: string, userSeq: number, signal?: AbortSignal): Promise<RunLease> {
    await this.start();
    const name = sessionLease(sessionKey);
    let warned = false;
    for (;;) {
      signal?.throwIfAborted();
      if (this.#closed) throw new AbortedError("the cluster connection is closed");
      try {
        if (await this.#take(name, { sessionKey, userSeq })) {
          if (signal?.aborted) await this.#release(name);
          signal?.throwIfAborted();
          return this.#hold(name);
        }
      } catch (err) {
        if (!warned) this.#log.warn("waiting for a session lease: the database is not answering; retrying", { error: errorMessage(err) });
        warned = true;
      }
      await this.#nap(name, signal);
    }
  }

  async sweepOrphans(mark: OrphanMarker): Promise<UnfinishedRun[]> {
    await this.start();
    const rows = await this.#q("listing orphaned runs", Q.ORPHANS, [this.ttlMs, this.nodeId, Date.now() - this.ttlMs]);
    const bySession = new Map<string, UnfinishedRun[]>(); // rows come ordered by session, then user_seq
    for (const r of rows) {
      const u: UnfinishedRun = { sessionKey: r.session_key as string, runId: r.run_id as string, startedAt: Number(r.started_at) };
      bySession.set(u.sessionKey, [...(bySession.get(u.sessionKey) ?? []), u]);
    }
    const out: UnfinishedRun[] = [];
    for (const [sessionKey, runs] of bySession) {
      // one lease per session for all its orphans: a sweeper that holds it marks every one of them, so
      // none is skipped by all (a live holder's session is swept once it lets go)
      const name = sessionLease(sessionKey);
      if (!(await this.#take(name))) continue;
      const lease = this.#hold(name);
      try {
        for (const u of runs) {
          // under the lease: only one node gets here per run, and the row tells whether it is still unfinished
          if ((await this.#q("checking a run", Q.RUN_EXISTS, [u.sessionKey, u.runId])).length > 0 && (await mark(u))) out.push(u);
        }
      } finally {
        await lease.release();
      }
    }
    return out;
  }

  leader(role: string, onChange: (leader: boolean) => void): () => Promise<void> {
    const e: LeaderEntry = { role, onChange, leader: false, stopped: false };
    this.#leaders.add(e);
    // a start that fails (database down) is retried by the next tick only once started: keep trying here
    void this.start().then(() => this.#campaign(e)).catch((err) => this.#log.warn("leader election could not start", { role, error: errorMessage(err) }));
    const onNotify = () => {
      if (!e.leader && !e.stopped && this.#started) void this.#campaign(e).catch(() => {});
    };
    this.#wait(leaderLease(role), onNotify);
    return async () => {
      e.stopped = true;
      this.#leaders.delete(e);
      this.#unwait(leaderLease(role), onNotify);
      if (e.leader) {
        this.#setLeaderStopped(e);
        if (!this.#closed) await this.#release(leaderLease(role));
      }
    };
  }


  #setLeaderStopped(e: LeaderEntry): void {
    e.leader = false;
    try {
      e.onChange(false);
    } catch (err) {
      this.#log.warn("a leader callback threw", { role: e.role, error: errorMessage(err) });
    }
  }

  async #campaign(e: LeaderEntry): Promise<void> {
    if (e.stopped || this.#closed) return;
    let held: boolean;
    try {
      held = await this.#take(leaderLease(e.role));
    } catch (err) {
      this.#log.debug("leader campaign failed", { role: e.role, error: errorMessage(err) });
      return; // the heart-beat decides when an unreachable database means the lease is lost
    }
    if (!e.stopped) this.#setLeader(e, held);
  }

  async describe(): Promise<ClusterDescription> {
    const nodes = await this.#q("listing nodes", Q.LIST_NODES, [this.ttlMs]);
    const leases = await this.#q("listing leases", Q.LIST_LEASES, [this.ttlMs]);
    return {
      driver: "postgres",
      nodeId: this.nodeId,
      nodes: nodes.map((n) => ({
        id: n.node_id as string, host: n.host as string, pid: Number(n.pid), started: Math.round(Number(n.started)),
        heartbeat: Math.round(Number(n.heartbeat)), alive: Boolean(n.alive),
      })),
      leases: leases.map((l) => ({ name: l.name as string, node: l.node_id as string })),
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    for (const e of [...this.#leaders]) {
      e.stopped = true;
      if (e.leader) this.#setLeaderStopped(e);
    }
    this.#leaders.clear();
    for (const h of this.#held.values()) h.controller.abort(new AbortedError("the node is stopping"));
    this.#held.clear();
    try {
      if (this.#started) {
        const gone = await this.#sql.unsafe(Q.RELEASE_ALL, [this.nodeId]);
        await this.#sql.unsafe(Q.STOP_NODE, [this.nodeId]);
        for (const r of gone as Row[]) await this.#sql.unsafe("SELECT pg_notify($1, $2)", [this.#channel, r.name]);
      }
    } catch (err) {
      this.#log.warn("could not release this node's leases at stop; they expire with its heart-beat", { error: errorMessage(err) });
    }
    this.#closed = true;
    this.#wake("");
    await this.#unlisten?.().catch(() => {});
    await this.#sql.close();
  }

  /**
   * Stops heart-beating and drops the connections WITHOUT releasing anything or marking the node
   * stopped: what a `kill -9` looks like to the other nodes (tests).
   */
  async halt(): Promise<void> {
    clearInterval(this.#timer);
    this.#closed = true;
    this.#wake("");
    await this.#unlisten?.().catch(() => {});
    await this.#sql.close();
  }
}
