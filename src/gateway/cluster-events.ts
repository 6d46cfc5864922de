/**
 * Run events between gateway nodes (issue 16): this node's runtime events that clients see go to
 * the fan-out (src/store/fanout.ts), and the other nodes' come back into this node's hub, so a
 * client subscribed here (JSON-RPC `chat.event`, OpenClaw `chat`/`agent` frames) sees a run executing
 * on another node exactly as a local one. With one node (SQLite) the fan-out is a no-op.
 *
 * What crosses: the hub's STREAMED types plus `run_started` (OpenClaw clients' `sessions.changed`).
 * Error texts are made client-safe before they leave (ClientEvents), so the database never holds an
 * unsafe error text; the receiving hub pairs the error with its final as for a local run.
 *
 * Which consumers of runtime events get remote ones (docs/cluster-fanout.md):
 * - the hub (chat.event to subscribers, both codecs): yes;
 * - OpenClaw `sessions.changed` on a run start: yes, through `onRemote`; on a reset / delete through
 *   another node's gateway: yes (`session_changed` envelopes, announced through the gateway's session listeners);
 * - run metrics and the dashboard's live counters: no, each node counts its own runs;
 * - OpenClaw `agent.wait` (compat/run-waiter.ts) and `agent` streams: no, they answer on the node that started the run;
 * - RunGate / runs(): no, the node running a run owns it.
 */
import type { AgentEvent } from "../agent/types.ts";
import { errorMessage } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";
import type { Fanout, FanoutEvent } from "../store/fanout.ts";
import { ClientEvents } from "./client-events.ts";
import { type Hub, STREAMED } from "./hub.ts";

const FANNED = new Set<AgentEvent["type"]>([...STREAMED, "run_started"]);
/** not a run event: a session reset or deleted through a gateway */
const SESSION_CHANGED = "session_changed";

export class ClusterEvents {
  readonly #safe = new ClientEvents();
  readonly #listeners = new Set<(event: AgentEvent) => void>();
  readonly #off: () => void;

  constructor(
    readonly fanout: Fanout,
    private readonly hub: Hub,
    private readonly log: Logger,
    /** a session reset or deleted on another node */
    private readonly remoteSessionChange: (change: { sessionKey: string; reason: "reset" | "delete" }) => void = () => {},
  ) {
    this.#off = fanout.onRemote((ev) => this.#remote(ev));
  }

  /** A session reset or deleted through this node's gateway: the other nodes announce it too. */
  sessionChanged(change: { sessionKey: string; reason: "reset" | "delete" }): void {
    if (!this.fanout.multiNode) return;
    this.fanout.publish({ sessionKey: change.sessionKey, type: SESSION_CHANGED, reason: change.reason });
  }

  /** A runtime event of this node: to the other nodes when clients may see it. */
  local(ev: AgentEvent): void {
    if (!this.fanout.multiNode || !FANNED.has(ev.type)) return; // one node: no client-safe copy made per event for nobody
    this.fanout.publish(this.#wire(ev) as unknown as FanoutEvent);
  }

  /** Remote run events after the hub had them (the hub is fed here, not through this). */
  onRemote(listener: (event: AgentEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  dispose(): void {
    this.#off();
    this.#listeners.clear();
  }

  /** error and final as clients would see them, in the agent's own shape */
  #wire(ev: AgentEvent): AgentEvent {
    if (ev.type === "error") {
      const c = this.#safe.toClient(ev);
      return c.type === "error" ? { ...ev, error: { type: c.error.type, message: c.error.message } } : ev;
    }
    return ev.type === "final" ? (this.#safe.toClient(ev) as AgentEvent) : ev;
  }

  #remote(raw: FanoutEvent): void {
    if (raw.type === SESSION_CHANGED) {
      if (raw.reason === "reset" || raw.reason === "delete") this.remoteSessionChange({ sessionKey: raw.sessionKey, reason: raw.reason });
      return;
    }
    const ev = raw as unknown as AgentEvent;
    if (typeof ev.type !== "string" || !FANNED.has(ev.type) || typeof ev.runId !== "string") {
      this.log.debug("fan-out: ignored a remote event of an unknown shape", { type: String((raw as { type?: unknown }).type).slice(0, 40) });
      return;
    }
    this.hub.publish(ev);
    for (const l of this.#listeners) {
      try {
        l(ev);
      } catch (err) {
        this.log.error("a remote run event listener failed", { error: errorMessage(err) });
      }
    }
  }
}
