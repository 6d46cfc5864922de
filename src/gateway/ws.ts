/**
 * The WebSocket transport: Bun's handlers, one `Connection` (connection.ts) per socket. Everything
 * protocol-specific is in the connection's codec; this file only moves frames and counts sockets.
 */
import type { ServerWebSocket, WebSocketHandler } from "bun";
import { Connection } from "./connection.ts";
import type { Gateway } from "./gateway.ts";
import type { Scope } from "./rpc/method.ts";

export const AUTH_TIMEOUT_MS = 5_000;

export interface WsData {
  ip: string;
  /** the scopes granted by an Authorization header at upgrade; null when the first frame must authenticate */
  scopes: ReadonlySet<Scope> | null;
  conn?: Connection;
}

function frameText(message: string | Buffer): string {
  return typeof message === "string" ? message : message.toString("utf8");
}

export function websocketHandlers(gw: Gateway): WebSocketHandler<WsData> {
  return {
    open(ws: ServerWebSocket<WsData>) {
      const conn = new Connection(ws, gw, ws.data.ip, ws.data.scopes);
      ws.data.conn = conn;
      gw.metrics.wsConnections++;
      gw.metrics.wsTotal++;
      if (!conn.authed) {
        conn.authTimer = setTimeout(() => {
          if (!conn.authed && !conn.closed) ws.close(1008, "authentication timeout");
        }, gw.deps.authTimeoutMs ?? AUTH_TIMEOUT_MS);
      }
    },

    message(ws, message) {
      ws.data.conn?.onFrame(frameText(message));
    },

    close(ws) {
      const conn = ws.data.conn;
      if (!conn) return;
      conn.dispose();
      gw.metrics.wsConnections--;
    },
  };
}
