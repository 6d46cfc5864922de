// Bounded load for the cluster chaos tests: one client per live node sends a fixed number of
// messages to random sessions (each answer awaited with a timeout, so a killed node cannot hang the
// test), recording what was acknowledged and every error a client was shown. A seeded PRNG makes a
// failing run repeatable: the seed is printed, CLUSTER_CHAOS_SEED=<n> replays it.
import type { WsClient } from "../gateway/helpers.ts";
import { callSafe, chatEvents, send, type CallOutcome } from "./cluster-client.ts";
import type { Ack } from "./cluster-log.ts";
import type { ClusterNode, ClusterRig } from "./cluster-rig.ts";

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Shown {
  node: string;
  what: string;
  code?: number;
  message: string;
}

/** What a load produced: acknowledged sends, errors shown to clients, sends cut off by a node's death. */
export class LoadRecord {
  readonly acks: Ack[] = [];
  readonly errors: Shown[] = [];
  closed = 0;
  timedOut = 0;
  readonly clients: Array<{ node: ClusterNode; ws: WsClient }> = [];

  note(node: ClusterNode, out: CallOutcome, what: string): void {
    if (out.kind === "closed") this.closed++;
    else if (out.kind === "timeout") this.timedOut++;
    else if (out.error) this.errors.push({ node: node.name, what, code: out.error.code, message: out.error.message });
  }

  /** Run `error` events and error finals the clients received. */
  runErrors(): Shown[] {
    const out: Shown[] = [];
    for (const { node, ws } of this.clients) {
      for (const p of chatEvents(ws)) {
        if (p.event.type === "error") out.push({ node: node.name, what: "run error event", code: p.event.error?.code, message: String(p.event.error?.message) });
        if (p.event.type === "final" && p.event.outcome === "error") out.push({ node: node.name, what: "final", message: String(p.event.reason) });
      }
    }
    return out;
  }

  /** Finals the clients received, by runId (the outcome each client was told). */
  finals(): Array<{ node: string; runId: string; outcome: string }> {
    return this.clients.flatMap(({ node, ws }) => chatEvents(ws).filter((p) => p.event.type === "final").map((p) => ({ node: node.name, runId: p.runId as string, outcome: p.event.outcome as string })));
  }
}

export interface LoadOptions {
  /** messages per live node */
  perNode: number;
  /** session keys to choose from */
  sessions: string[];
  /** longest fake delay of a reply, ms (each message waits a random 0..slowMs) */
  slowMs: number;
  /** per-answer timeout, ms */
  timeoutMs?: number;
  rand: () => number;
  /** text tag (the round) */
  tag: string;
}

/**
 * Connects one client per live node (resolves once connected), then sends the load in the background:
 * `done` resolves when every send is answered, cut off or timed out.
 */
export async function startLoad(rig: ClusterRig, rec: LoadRecord, o: LoadOptions): Promise<{ done: Promise<void> }> {
  const clients = await Promise.all(rig.alive().map(async (node) => ({ node, ws: await rig.connect(node) })));
  rec.clients.push(...clients);
  const done = Promise.all(
    clients.map(async ({ node, ws }) => {
      const pending: Promise<void>[] = [];
      for (let i = 0; i < o.perNode; i++) {
        const session = o.sessions[Math.floor(o.rand() * o.sessions.length)]!;
        const slow = Math.floor(o.rand() * o.slowMs);
        const text = `${session}#${o.tag}-${node.name}-${i} [slow=${slow}]`;
        // two messages in flight per client, as a user who does not wait would
        const out = send(ws, node.name, session, text, rec.acks, o.timeoutMs ?? 20_000).then((r) => rec.note(node, r, "chat.send"));
        pending.push(out);
        if (i % 2 === 1) await out;
      }
      await Promise.all(pending);
    }),
  ).then(() => {});
  return { done };
}

/** A subscription of `ws` to each session (for fan-out of the load to watchers). */
export async function subscribeAll(ws: WsClient, sessions: string[]): Promise<void> {
  for (const s of sessions) await callSafe(ws, "sessions.subscribe", { sessionKey: s }, 10_000);
}
