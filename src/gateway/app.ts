/**
 * The HTTP side of the gateway (Hono). Probes (`/healthz`, `/readyz`), channel routes (which
 * check their own secret) and the dashboard's static files (static.ts) need no token; everything
 * else needs the bearer token in the `Authorization` header — never a URL query. A foreign
 * `Origin` is refused before auth. The dashboard's `/auth/*` login routes sit between the two.
 * The WebSocket upgrade on `/ws` is handled in server.ts before Hono sees the request.
 */
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { OpenClawError, PayloadTooLargeError } from "../core/errors.ts";
import { bearerToken } from "./auth.ts";
import type { Gateway } from "./gateway.ts";
import { readBodyText } from "../core/body.ts";
import { openAiError, registerOpenAi } from "./openai.ts";
import { answerFrame } from "./answer.ts";
import { clientError, internalError, isMasked } from "./client-error.ts";
import { jsonRpcCodec, wireError } from "./rpc/codec.ts";
import type { Scope } from "./rpc/method.ts";
import { StaticFiles } from "./static.ts";
import { registerDashboardAuth } from "./dashboard-routes.ts";

export type GatewayEnv = { Bindings: { ip?: string }; Variables: { scopes: ReadonlySet<Scope> } };

/** what a request has that did not pass requireAuth (fail closed) */
const NO_SCOPES: ReadonlySet<Scope> = new Set();
const clientIp = (c: Context<GatewayEnv>): string => c.env?.ip ?? "unknown";

/** One debug line per request (path without the query: it may carry things that do not belong in logs). */
function requestLog(gw: Gateway): MiddlewareHandler<GatewayEnv> {
  return async function requestLog(c, next) {
    const t0 = performance.now();
    await next();
    gw.metrics.observeHttp(c.res.status);
    if (gw.log.enabled("debug")) {
      gw.log.debug("request", { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - t0) * 100) / 100, ip: clientIp(c) });
    }
  };
}

type Refusal = "origin" | "unauthorized" | "rate_limited" | "not_found";
const REFUSALS: Record<Refusal, { status: 401 | 403 | 404 | 429; message: string; openai: { type: string; code: string } }> = {
  origin: { status: 403, message: "origin not allowed", openai: { type: "invalid_request_error", code: "origin_not_allowed" } },
  unauthorized: { status: 401, message: "unauthorized", openai: { type: "invalid_request_error", code: "invalid_api_key" } },
  rate_limited: { status: 429, message: "too many failed authentication attempts; retry later", openai: { type: "rate_limit_error", code: "rate_limit_exceeded" } },
  not_found: { status: 404, message: "not found", openai: { type: "invalid_request_error", code: "unknown_url" } },
};

/** A refusal in the caller's dialect: OpenAI's `{error:{message,type,param,code}}` under /v1/, else `{error}`. */
function refuse(c: Context<GatewayEnv>, kind: Refusal, headers: Record<string, string> = {}): Response {
  const r = REFUSALS[kind];
  if (!c.req.path.startsWith("/v1/")) return c.json({ error: r.message }, r.status, headers);
  const res = openAiError(r.status, r.message, r.openai.type, r.openai.code);
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  return res;
}

function originCheck(gw: Gateway): MiddlewareHandler<GatewayEnv> {
  return async function originCheck(c, next) {
    if (!gw.origins.allows(c.req.header("origin"))) return refuse(c, "origin");
    await next();
  };
}

/** The dashboard's files, before the origin check and auth; anything else goes on. */
function staticFiles(files: StaticFiles): MiddlewareHandler<GatewayEnv> {
  return async function staticFiles(c, next) {
    return files.respond(c.req.method, c.req.path, c.req.raw.headers) ?? next();
  };
}

/** Bearer check; failures are rate limited per source (all of loopback is one) and globally (core/ratelimit.ts). */
export function requireAuth(gw: Gateway): MiddlewareHandler<GatewayEnv> {
  return async function requireAuth(c, next) {
    const check = gw.checkToken(clientIp(c), bearerToken(c.req.header("authorization")));
    if (check.ok) {
      c.set("scopes", check.scopes);
      return next();
    }
    if (check.retryAfterMs) return refuse(c, "rate_limited", { "retry-after": String(Math.ceil(check.retryAfterMs / 1000)) });
    return refuse(c, "unauthorized", { "www-authenticate": 'Bearer realm="openclaw"' });
  };
}

export function createApp(gw: Gateway): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  app.use("*", requestLog(gw));

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/readyz", async (c) => {
    let store = "ok";
    try {
      await gw.store.listSessions({ limit: 1 });
    } catch (err) {
      // unauthenticated: never the store's own text (paths, SQL); that goes to the log
      store = clientError(err).message;
      gw.log.warn("readiness: the store check failed", { error: err });
    }
    const sandbox = await gw.sandboxStatus();
    const ready = store === "ok" && !gw.runs.draining;
    // each channel's real state; a failed channel does not make the gateway unready (docs/foundation.md)
    const channels = gw.channels.map((ch) => ch.status());
    return c.json({ ready, store, sandbox, draining: gw.runs.draining, channels }, ready ? 200 : 503);
  });

  for (const ch of gw.channels) {
    for (const r of ch.routes()) {
      const handler = (c: Context<GatewayEnv>) => r.handle(c.req.raw, { address: clientIp(c) });
      if (r.method === "GET") app.get(r.path, handler);
      else app.post(r.path, handler);
    }
  }

  app.use("*", staticFiles(new StaticFiles(gw.deps.assets)));
  app.use("*", originCheck(gw));
  registerDashboardAuth(app, gw); // the login routes: how a browser gets its credential (dashboard-routes.ts)
  app.use("*", requireAuth(gw));

  app.get("/metrics", () =>
    new Response(gw.metrics.render({ runsInFlight: gw.runtime.runs().length, uptimeS: (Date.now() - gw.startedAt) / 1000 }), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    }),
  );

  app.post("/rpc", async (c) => {
    let text: string;
    try {
      text = await readBodyText(c.req.raw, gw.config().gateway.limits.maxBodyBytes);
    } catch (err) {
      if (err instanceof PayloadTooLargeError) return c.body(jsonRpcCodec.encodeError(null, clientError(err))!, 413, { "content-type": "application/json" });
      throw err;
    }
    const ctx = { transport: "http" as const, ip: clientIp(c), scopes: c.get("scopes") ?? NO_SCOPES };
    const out = await answerFrame(jsonRpcCodec, gw.dispatcher, text, ctx, gw.decodeLimits());
    if (out === null) return c.body(null, 204);
    return c.body(out, 200, { "content-type": "application/json" });
  });

  registerOpenAi(app, gw);

  app.notFound((c) => refuse(c, "not_found"));
  app.onError((err, c) => {
    if (err instanceof OpenClawError) {
      if (isMasked(err)) gw.log.error("request failed", { path: c.req.path, error: err });
      return c.json({ error: clientError(err).message }, err.httpStatus as 400);
    }
    gw.log.error("unhandled request error", { path: c.req.path, error: err, stack: err.stack });
    return c.json({ jsonrpc: "2.0", error: wireError(internalError()), id: null }, 500);
  });
  return app;
}
