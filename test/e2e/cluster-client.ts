// Client-side helpers of the cluster tests: a JSON-RPC call that cannot hang on a node that died
// (WsClient.call waits forever for an answer from a killed process), chat.send recording what was
// acknowledged, and waits on a socket's chat.event notifications.
import type { WsClient } from "../gateway/helpers.ts";
import type { Ack } from "./cluster-log.ts";

export type CallOutcome =
  // biome-ignore lint: JSON-RPC answers are arbitrary JSON
  | { kind: "answer"; result?: any; error?: { code: number; message: string; data?: any } }
  | { kind: "closed" }
  | { kind: "timeout" };

/** A call that resolves when the answer arrives, the socket closes, or `timeoutMs` passes. */
export async function callSafe(ws: WsClient, method: string, params: unknown, timeoutMs = 30_000): Promise<CallOutcome> {
  if (ws.closed) return { kind: "closed" };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const out = await Promise.race([
    ws.call(method, params).then((m) => ({ kind: "answer" as const, result: m.result, error: m.error })),
    ws.closedP.then(() => ({ kind: "closed" as const })),
    new Promise<CallOutcome>((r) => (timer = setTimeout(() => r({ kind: "timeout" }), timeoutMs))),
  ]);
  clearTimeout(timer);
  return out;
}

/** chat.send; an answered `{runId}` is pushed onto `acks`. */
export async function send(ws: WsClient, node: string, sessionKey: string, text: string, acks: Ack[], timeoutMs = 30_000): Promise<CallOutcome> {
  const out = await callSafe(ws, "chat.send", { sessionKey, text }, timeoutMs);
  if (out.kind === "answer" && out.result?.runId) acks.push({ sessionKey, runId: out.result.runId, text, node });
  return out;
}

/** chat.event params (`{sessionKey, runId, event}`) this socket received, in arrival order. */
// biome-ignore lint: notifications are arbitrary JSON
export function chatEvents(ws: WsClient, sessionKey?: string): any[] {
  return ws.notifications.filter((n) => n.method === "chat.event" && (sessionKey === undefined || n.params.sessionKey === sessionKey)).map((n) => n.params);
}

/** The `final` event of `runId` on this socket, waiting up to `timeoutMs`. */
// biome-ignore lint: events are arbitrary JSON
export async function finalOf(ws: WsClient, runId: string, timeoutMs = 30_000, label = ""): Promise<any> {
  const find = () => chatEvents(ws).find((p) => p.runId === runId && p.event.type === "final");
  await ws.until(() => find() !== undefined, timeoutMs, `the final chat.event of ${runId}${label ? ` (${label})` : ""}`);
  return find().event;
}
