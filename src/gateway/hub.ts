/**
 * Fan-out of run events and log records to connections. The hub publishes typed events
 * (`GatewayEvent`); each subscriber's codec serialises them, once per codec per event: N
 * subscribers that speak one codec cost one serialisation, and the same text goes to each. Run
 * events pass through `ClientEvents` first, so no codec ever sees an unsafe error text. Sends never
 * block: a connection that stops reading is dropped by its own limits, which removes it here.
 */
import type { AgentEvent } from "../agent/types.ts";
import type { LogRecord } from "../core/log.ts";
import { ClientEvents } from "./client-events.ts";
import type { Codec, GatewayEvent } from "./codec.ts";

export interface Subscriber {
  readonly id: string;
  /** the codec the connection speaks (fixed once it has subscribed to anything) */
  readonly codec: Pick<Codec, "encodeEvent">;
  /** must not throw; drops the text when the connection is gone */
  send(text: string): void;
}

/** the run events clients see (chat.event); the rest stay inside the gateway */
export const STREAMED = new Set<AgentEvent["type"]>(["text_delta", "tool_call", "tool_result", "final", "error"]);

export class Hub {
  readonly #sessions = new Map<string, Set<Subscriber>>();
  readonly #logs = new Set<Subscriber>();
  readonly #clientEvents = new ClientEvents();

  subscribe(sessionKey: string, sub: Subscriber): void {
    let set = this.#sessions.get(sessionKey);
    if (!set) this.#sessions.set(sessionKey, (set = new Set()));
    set.add(sub);
  }

  unsubscribe(sessionKey: string, sub: Subscriber): boolean {
    const set = this.#sessions.get(sessionKey);
    if (!set?.delete(sub)) return false;
    if (set.size === 0) this.#sessions.delete(sessionKey);
    return true;
  }

  setLogTail(sub: Subscriber, on: boolean): void {
    if (on) this.#logs.add(sub);
    else this.#logs.delete(sub);
  }

  /** Forget a closed connection everywhere. */
  remove(sub: Subscriber, sessionKeys: Iterable<string>): void {
    for (const key of sessionKeys) this.unsubscribe(key, sub);
    this.#logs.delete(sub);
  }

  /** Sizes for `gateway.memory`: session keys with a subscriber, subscriptions in all, log tails. */
  stats(): { sessions: number; subscriptions: number; logTails: number } {
    let subscriptions = 0;
    for (const set of this.#sessions.values()) subscriptions += set.size;
    return { sessions: this.#sessions.size, subscriptions, logTails: this.#logs.size };
  }

  publish(event: AgentEvent): void {
    if (!STREAMED.has(event.type)) return;
    // error and final always pass ClientEvents: it pairs a run's error with its final
    const needsPairing = event.type === "error" || event.type === "final";
    const set = this.#sessions.get(event.sessionKey);
    if ((!set || set.size === 0) && !needsPairing) return;
    const client = this.#clientEvents.toClient(event);
    if (!set || set.size === 0) return;
    fanOut(set, { kind: "run", sessionKey: event.sessionKey, runId: event.runId, event: client });
  }

  publishLog(record: LogRecord): void {
    if (this.#logs.size === 0) return;
    fanOut(this.#logs, { kind: "log", record });
  }
}

/** Serialise once per codec (usually one), send to every subscriber. */
function fanOut(subs: Iterable<Subscriber>, event: GatewayEvent): void {
  let lastCodec: Subscriber["codec"] | undefined;
  let lastText: string | null = null;
  let others: Map<Subscriber["codec"], string | null> | undefined;
  for (const sub of subs) {
    let text: string | null;
    if (sub.codec === lastCodec) text = lastText;
    else if (lastCodec === undefined) {
      lastCodec = sub.codec;
      text = lastText = sub.codec.encodeEvent(event);
    } else {
      others ??= new Map();
      text = others.has(sub.codec) ? others.get(sub.codec)! : sub.codec.encodeEvent(event);
      others.set(sub.codec, text);
    }
    if (text !== null) sub.send(text);
  }
}
