/**
 * Fan-out of run events and log records to WebSocket connections. Each event is serialized once
 * and the same text is sent to every subscriber of its session. Sends never block: a connection
 * that stops reading hits Bun's backpressure limit and is closed by Bun, which removes it here.
 */
import type { AgentEvent } from "../agent/types.ts";
import type { LogRecord } from "../core/log.ts";
import { notificationText } from "./rpc/protocol.ts";

export interface Subscriber {
  readonly id: string;
  /** must not throw; drops the text when the connection is gone */
  send(text: string): void;
}

const STREAMED = new Set<AgentEvent["type"]>(["text_delta", "tool_call", "tool_result", "final", "error"]);

export class Hub {
  readonly #sessions = new Map<string, Set<Subscriber>>();
  readonly #logs = new Set<Subscriber>();

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

  publish(event: AgentEvent): void {
    if (!STREAMED.has(event.type)) return;
    const set = this.#sessions.get(event.sessionKey);
    if (!set || set.size === 0) return;
    const text = notificationText("chat.event", { sessionKey: event.sessionKey, runId: event.runId, event });
    for (const sub of set) sub.send(text);
  }

  publishLog(record: LogRecord): void {
    if (this.#logs.size === 0) return;
    const text = notificationText("logs.record", record);
    for (const sub of this.#logs) sub.send(text);
  }
}
