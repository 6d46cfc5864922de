/**
 * One `Bun.serve` port for HTTP (Hono) and the WebSocket at `/ws`. The hostname is always explicit
 * (Bun would listen on every interface otherwise). A non-loopback bind without auth refuses to
 * start. The upgrade checks, in order: Origin (before any auth), draining, the connection cap, then
 * an optional `Authorization` header, else the dashboard's session cookie (a cookie for a session
 * that has ended is refused, 401), else the first frame authenticates (see ws.ts).
 */
import type { Server } from "bun";
import { ConfigError, UnavailableError } from "../core/errors.ts";
import { bearerToken } from "./auth.ts";
import { createApp } from "./app.ts";
import type { Gateway } from "./gateway.ts";
import { sessionCookieOf } from "./dashboard-routes.ts";
import { websocketHandlers, type WsData } from "./ws.ts";

export class PortInUseError extends UnavailableError {
  static override readonly type: string = "PortInUseError";
}

/** `loopback` → 127.0.0.1, `lan` → 0.0.0.0, `localhost` → 127.0.0.1, anything else is an address. */
export function bindHost(bind: string): string {
  if (bind === "loopback" || bind === "localhost") return "127.0.0.1";
  if (bind === "lan") return "0.0.0.0";
  return bind;
}

export function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "::1" || host === "[::1]" || host === "localhost";
}

export interface ServeOptions {
  hostname: string;
  port: number;
}

export interface RunningServer {
  server: Server<WsData>;
  hostname: string;
  port: number;
  url: string;
  /** Stop accepting connections; with `force`, also close open ones (WebSockets get 1001). */
  stop(force?: boolean): Promise<void>;
}

/** Throws ConfigError for a non-loopback `hostname` without auth: anyone on the network could drive the agent. */
export function refuseOpenBind(hostname: string, authRequired: boolean): void {
  if (isLoopback(hostname) || authRequired) return;
  throw new ConfigError(
    `refusing to listen on ${hostname} without authentication (gateway.auth.mode is "none"): anyone on the network could drive the agent. ` +
      `Set gateway.auth.mode to "token" (a token is generated if none is set) or bind to loopback (gateway.bind = "loopback").`,
  );
}

export function serveGateway(gw: Gateway, opts: ServeOptions): RunningServer {
  refuseOpenBind(opts.hostname, gw.authn.required);
  const app = createApp(gw);
  const limits = gw.config().gateway.limits;
  let server: Server<WsData>;
  try {
    server = Bun.serve<WsData>({
      hostname: opts.hostname,
      port: opts.port,
      maxRequestBodySize: limits.maxBodyBytes,
      idleTimeout: 120,
      fetch(req, srv) {
        const ip = srv.requestIP(req)?.address ?? "unknown";
        const path = req.url.slice(req.url.indexOf("/", 8)).split("?", 1)[0];
        if (path === "/ws") return upgrade(gw, req, srv, ip);
        // OpenClaw clients connect to the root URL (ws://host:18789); a page load of / is no upgrade
        if (path === "/" && req.headers.get("upgrade")?.toLowerCase() === "websocket") return upgrade(gw, req, srv, ip, true);
        return app.fetch(req, { ip });
      },
      websocket: {
        ...websocketHandlers(gw),
        maxPayloadLength: limits.maxFrameBytes,
        backpressureLimit: limits.maxBufferedBytes,
        closeOnBackpressureLimit: true,
        idleTimeout: 120,
        sendPings: true,
        perMessageDeflate: false,
      },
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EADDRINUSE" || /address.*in use|EADDRINUSE/i.test(String((err as Error).message))) {
      throw new PortInUseError(`port ${opts.port} is in use: is another gateway running? use --port`, { cause: err });
    }
    if (code === "EADDRNOTAVAIL" || code === "EACCES") {
      throw new ConfigError(`cannot listen on ${opts.hostname}:${opts.port} (${code}); check gateway.bind and --port`, { cause: err });
    }
    throw err;
  }
  const port = server.port ?? opts.port;
  gw.listening = { hostname: opts.hostname, port };
  const shown = opts.hostname.includes(":") ? `[${opts.hostname}]` : opts.hostname;
  return {
    server,
    hostname: opts.hostname,
    port,
    url: `http://${shown}:${port}`,
    stop: (force = false) => server.stop(force),
  };
}

function upgrade(gw: Gateway, req: Request, srv: Server<WsData>, ip: string, openclaw = false): Response | undefined {
  if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
  if (!gw.origins.allows(req.headers.get("origin"))) return new Response("origin not allowed", { status: 403 });
  if (gw.runs.draining) return new Response("shutting down", { status: 503 });
  const max = gw.config().gateway.limits.maxConnections;
  if (gw.metrics.wsConnections >= max) return new Response(`too many connections (limit ${max})`, { status: 503 });
  let scopes: WsData["scopes"] = null;
  let session: string | undefined;
  // on OpenClaw's URL the connect frame authenticates, whatever the upgrade carried
  if (openclaw) return srv.upgrade(req, { data: { ip, scopes, openclaw } }) ? undefined : new Response("WebSocket upgrade failed", { status: 400 });
  const header = req.headers.get("authorization");
  const cookie = header === null && gw.authn.required ? sessionCookieOf(req.headers.get("cookie")) : undefined;
  if (cookie !== undefined) {
    // the dashboard's cookie, after the Origin check: a page on another site cannot ride on it
    const s = gw.dashboard.verify(cookie);
    if (!s) return new Response("the dashboard session has ended; log in again", { status: 401 });
    scopes = s.scopes;
    session = s.id;
  } else if (!gw.authn.required || header !== null) {
    const check = gw.checkToken(ip, bearerToken(header));
    if (!check.ok && check.retryAfterMs) {
      return new Response("too many failed authentication attempts", { status: 429, headers: { "retry-after": String(Math.ceil(check.retryAfterMs / 1000)) } });
    }
    if (!check.ok) return new Response("unauthorized", { status: 401 });
    scopes = check.scopes;
  }
  if (srv.upgrade(req, { data: { ip, scopes, ...(session ? { session } : {}) } })) return undefined;
  return new Response("WebSocket upgrade failed", { status: 400 });
}
