/**
 * The WebSocket transport: Bun's handlers, one `Connection` (connection.ts) per socket. Everything
 * protocol-specific is in the connection's codec; this file only moves frames and counts sockets.
 */
import type { ServerWebSocket, WebSocketHandler } from "bun";
import { challenge, HANDSHAKE_TIMEOUT_MS } from "./compat/handshake.ts";
import { Connection } from "./connection.ts";
import type { Gateway } from "./gateway.ts";
import type { Scope } from "./rpc/method.ts";

export const AUTH_TIMEOUT_MS = 5_000;

export interface WsData {
  ip: string;
  /** the scopes granted by an Authorization header at upgrade; null when the first frame must authenticate */
  scopes: ReadonlySet<Scope> | null;
  /** the dashboard session (digest) the upgrade's cookie named; the socket closes when it ends */
  session?: string;
  /** upgraded on OpenClaw's URL (`/`): greeted with `connect.challenge`, given OpenClaw's 15 s handshake */
  openclaw?: boolean;
  detach?: () => void;
  conn?: Connection;
}

function frameText(message: string | Buffer): string {
  return typeof message === "string" ? message : message.toString("utf8");
}

export function websocketHandlers(gw: Gateway): WebSocketHandler<WsData> {
  return {
    open(ws: ServerWebSocket<WsData>) {
      const conn = new Connection(ws, gw, ws.data.ip, ws.data.scopes, ws.data.session);
      ws.data.conn = conn;
      gw.connections.add(conn);
      if (ws.data.session) ws.data.detach = gw.dashboard.attach(ws.data.session, () => ws.close(1008, "dashboard session ended"));
      gw.metrics.wsConnections++;
      gw.metrics.wsTotal++;
      if (!conn.authed) {
        const timeout = ws.data.openclaw ? (gw.deps.openclaw?.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS) : (gw.deps.authTimeoutMs ?? AUTH_TIMEOUT_MS);
        conn.authTimer = setTimeout(() => {
          if (!conn.authed && !conn.closed) ws.close(1008, "authentication timeout");
        }, timeout);
        if (ws.data.openclaw) {
          const c = challenge((gw.deps.openclaw?.now ?? Date.now)());
          conn.greet(c.frame, c.nonce);
        }
      }
    },

    message(ws, message) {
      // a session that expired since the last frame ends here (touch), which closes this socket
      if (ws.data.session && !gw.dashboard.touch(ws.data.session)) return;
      ws.data.conn?.onFrame(frameText(message));
    },

    close(ws) {
      const conn = ws.data.conn;
      ws.data.detach?.();
      if (!conn) return;
      gw.connections.delete(conn);
      conn.dispose();
      gw.metrics.wsConnections--;
    },
  };
}
