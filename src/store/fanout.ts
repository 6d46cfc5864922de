/**
 * Event fan-out between gateway nodes that share one database. A node publishes the run events its
 * hub streams; every other node receives them (`onRemote`) and feeds them to its own hub, so a
 * client sees a run wherever it is connected. The store layer only carries JSON objects keyed by
 * `sessionKey`; the gateway decides what goes in and what comes out (src/gateway/cluster-events.ts).
 *
 * Guarantees of an implementation: per-session order as published by one node; a node never
 * receives its own events; an event is delivered whole or not at all (never truncated). Live
 * delivery is best effort across an outage: events published while a node's listening connection
 * is down are lost to live streaming (counted in `stats().lost`); clients resume from the log by seq.
 *
 * SQLite (one node): `singleNodeFanout()`, which publishes nowhere and never calls a listener.
 */

/** One event: a JSON-serialisable object naming its session. */
export type FanoutEvent = { sessionKey: string } & Record<string, unknown>;

export interface FanoutStats {
  /** this process's origin id (remote nodes' envelopes carry theirs) */
  origin: string;
  /** "single-node" (nothing to fan out to) or "postgres" */
  kind: "single-node" | "postgres";
  /** events handed to publish() / actually sent (NOTIFY issued) */
  published: number;
  sent: number;
  /** events over the NOTIFY limit that went through the outbox table */
  viaOutbox: number;
  /** remote events delivered to listeners */
  received: number;
  /** remote events known to be missed (a gap in an origin's counter, an outbox row gone) */
  lost: number;
  /** own events that could not be sent (database unreachable, queue full) */
  failed: number;
  /** events waiting to be sent */
  queued: number;
  /** whether the LISTEN connection is subscribed right now */
  listening: boolean;
}

export interface Fanout {
  /** false when there is no other node (SQLite): callers skip building what they would publish */
  readonly multiNode: boolean;
  /** Queue `event` for the other nodes; never throws, never blocks (a failed send is logged and counted). */
  publish(event: FanoutEvent): void;
  /** Called with each remote event, per session in the order its node published them; returns `off`. */
  onRemote(listener: (event: FanoutEvent) => void): () => void;
  /** Resolves when every event published so far was sent (or failed); for tests and a clean stop. */
  flush(): Promise<void>;
  stats(): FanoutStats;
  /** Send what is queued (bounded wait), stop listening, close the connections. Idempotent. */
  close(): Promise<void>;
}

/** One node: nothing to fan out to. */
export function singleNodeFanout(origin = "single-node"): Fanout {
  let published = 0;
  return {
    multiNode: false,
    publish: () => void published++,
    onRemote: () => () => {},
    flush: async () => {},
    stats: () => ({ origin, kind: "single-node", published, sent: 0, viaOutbox: 0, received: 0, lost: 0, failed: 0, queued: 0, listening: false }),
    close: async () => {},
  };
}
