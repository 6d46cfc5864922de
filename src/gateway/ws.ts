/**
 * The WebSocket side: one `WsPeer` per connection. A connection not authenticated at upgrade
 * (Authorization header) must send `{"jsonrpc":"2.0","method":"auth","params":{"token":…}}` as
 * its first frame within 5 s, else it is closed with 1008. Frames before auth are capped at 64 KiB.
 *
 * Ordering: notifications that arise while a request is being handled (the `chat.event`s of the
 * run a `chat.send` just started) are held until that request's response is sent, so a client
 * always sees `{runId}` before the run's events. The hold queue is bounded; a peer that overflows
 * it, like one that stops reading (Bun's backpressure limit), is dropped.
 */
import type { ServerWebSocket, WebSocketHandler } from "bun";
import { RpcCode } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import type { Gateway } from "./gateway.ts";
import type { Subscriber } from "./hub.ts";
import { parseJson } from "../core/json.ts";
import type { RpcPeer } from "./rpc/dispatch.ts";
import { asRequest, failure, isNotification, standardError, success } from "./rpc/protocol.ts";

export const AUTH_TIMEOUT_MS = 5_000;
const PRE_AUTH_MAX_FRAME = 65_536;
const MAX_PENDING_REQUESTS = 256;
const MAX_HELD = 10_000;

export interface WsData {
  ip: string;
  authed: boolean;
  peer?: WsPeer;
}

export class WsPeer implements RpcPeer, Subscriber {
  readonly id = newId("con");
  readonly #subs = new Set<string>();
  #held: string[] | null = null;
  #holds = 0;
  pending = 0;
  closed = false;
  authTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly ws: ServerWebSocket<WsData>,
    private readonly gw: Gateway,
  ) {}

  send(text: string): void {
    if (this.closed) return;
    if (this.#holds > 0) {
      (this.#held ??= []).push(text);
      if (this.#held.length > MAX_HELD) this.drop("too many undelivered messages");
      return;
    }
    this.#write(text);
  }

  #write(text: string): void {
    // 0 = dropped: the client is past the backpressure limit; Bun closes it (closeOnBackpressureLimit).
    if (this.ws.sendText(text) === 0) this.drop("client not reading");
  }

  hold(): void {
    this.#holds++;
  }

  /** Send `first` (a response), then whatever was held if no other request still holds. */
  release(first: string | null): void {
    this.#holds--;
    if (first !== null && !this.closed) this.#write(first);
    if (this.#holds === 0 && this.#held) {
      const held = this.#held;
      this.#held = null;
      for (const t of held) if (!this.closed) this.#write(t);
    }
  }

  drop(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.gw.metrics.wsDroppedSlow++;
    this.gw.log.warn("dropping slow websocket client", { conn: this.id, reason });
    this.ws.close(1008, "backpressure");
  }

  subscribe(sessionKey: string): void {
    this.#subs.add(sessionKey);
    this.gw.hub.subscribe(sessionKey, this);
  }
  unsubscribe(sessionKey: string): boolean {
    this.#subs.delete(sessionKey);
    return this.gw.hub.unsubscribe(sessionKey, this);
  }
  isSubscribed(sessionKey: string): boolean {
    return this.#subs.has(sessionKey);
  }
  subscriptionCount(): number {
    return this.#subs.size;
  }
  setLogTail(on: boolean): void {
    this.gw.hub.setLogTail(this, on);
  }
  dispose(): void {
    this.closed = true;
    clearTimeout(this.authTimer);
    this.gw.hub.remove(this, this.#subs);
    this.#subs.clear();
    this.#held = null;
  }
}

function frameText(message: string | Buffer): string {
  return typeof message === "string" ? message : message.toString("utf8");
}

/** The first frame of an unauthenticated connection: an `auth` request, or the connection closes. */
function handleAuthFrame(gw: Gateway, ws: ServerWebSocket<WsData>, peer: WsPeer, text: string): void {
  const parsed = parseJson(text, 8);
  const req = parsed.ok ? asRequest(parsed.value) : null;
  const id = req && !isNotification(req) ? (req.id ?? null) : null;
  const reject = (code: number, message: string, reason: string) => {
    ws.sendText(JSON.stringify(failure(id, { code, message })));
    ws.close(1008, reason);
  };
  const params = req?.params as { token?: unknown } | undefined;
  const token = req?.method === "auth" && typeof params?.token === "string" ? params.token : null;
  const check = gw.checkToken(ws.data.ip, token);
  if (!check.ok && check.retryAfterMs) return reject(RpcCode.RateLimited, `too many failed authentication attempts; retry in ${Math.ceil(check.retryAfterMs / 1000)} s`, "rate limited");
  if (!check.ok) return reject(RpcCode.Unauthorized, "unauthorized", "unauthorized");
  ws.data.authed = true;
  clearTimeout(peer.authTimer);
  if (req && !isNotification(req)) ws.sendText(JSON.stringify(success(id, { ok: true })));
}

export function websocketHandlers(gw: Gateway): WebSocketHandler<WsData> {
  return {
    open(ws) {
      const peer = new WsPeer(ws, gw);
      ws.data.peer = peer;
      gw.metrics.wsConnections++;
      gw.metrics.wsTotal++;
      if (!ws.data.authed) {
        peer.authTimer = setTimeout(() => {
          if (!ws.data.authed && !peer.closed) ws.close(1008, "authentication timeout");
        }, gw.deps.authTimeoutMs ?? AUTH_TIMEOUT_MS);
      }
    },

    message(ws, message) {
      const peer = ws.data.peer!;
      if (peer.closed) return;
      const text = frameText(message);
      if (!ws.data.authed) {
        if (text.length > PRE_AUTH_MAX_FRAME) return ws.close(1009, "frame too large before authentication");
        return handleAuthFrame(gw, ws, peer, text);
      }
      if (peer.pending >= MAX_PENDING_REQUESTS) {
        ws.sendText(JSON.stringify(failure(null, { code: RpcCode.RateLimited, message: `more than ${MAX_PENDING_REQUESTS} requests in flight on this connection` })));
        return;
      }
      peer.pending++;
      peer.hold();
      gw.dispatcher.handleText(text, { transport: "ws", ip: ws.data.ip, peer }).then(
        (out) => {
          peer.pending--;
          peer.release(out);
        },
        () => {
          peer.pending--;
          peer.release(JSON.stringify(failure(null, standardError(RpcCode.Internal))));
        },
      );
    },

    close(ws) {
      const peer = ws.data.peer;
      if (!peer) return;
      peer.dispose();
      gw.metrics.wsConnections--;
    },
  };
}
