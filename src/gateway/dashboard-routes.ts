/**
 * The dashboard's login routes, `/auth/*` (docs/dashboard.md). Mounted after the origin check and
 * before the bearer check: they are how a browser gets a credential. Every POST must be
 * `content-type: application/json` (415 otherwise): a cross-site HTML form can only send form or
 * text bodies, and a script sending JSON to another origin needs a preflight this gateway never
 * answers, so no other site can log anyone in or out. Codes and tokens go through the auth rate
 * limiter (`Gateway.checkLoginCode` / `checkToken`); the cookie value is never logged.
 */
import type { Context, Hono } from "hono";
import { getCookie } from "hono/cookie";
import { parse as parseCookies, serialize } from "hono/utils/cookie";
import { z } from "zod";
import { readBodyText } from "../core/body.ts";
import { parseJson } from "../core/json.ts";
import { PayloadTooLargeError } from "../core/errors.ts";
import type { GatewayEnv } from "./app.ts";
import type { Gateway, TokenCheck } from "./gateway.ts";
import { ALL_SCOPES } from "./rpc/method.ts";

export const SESSION_COOKIE = "openclaw_session";
const MAX_AUTH_BODY = 4096;

const ExchangeBody = z.strictObject({ code: z.string().min(1).max(256) });
const LoginBody = z.strictObject({ token: z.string().min(1).max(4096) });
const LogoutBody = z.union([z.strictObject({}), z.undefined()]);

/** The session cookie's value in a `Cookie` header (the /ws upgrade reads it before Hono sees the request). */
export function sessionCookieOf(header: string | null): string | undefined {
  return header ? parseCookies(header, SESSION_COOKIE)[SESSION_COOKIE] : undefined;
}

/** https as the browser saw it: the request URL, or a TLS-terminating proxy's `X-Forwarded-Proto`. A lie only adds `Secure`. */
function overHttps(c: Context<GatewayEnv>): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}

/** `openclaw_session=…; HttpOnly; SameSite=Strict; Path=/` (+ Secure on https); a browser-session cookie (no Max-Age). */
export function sessionCookie(value: string, secure: boolean): string {
  return serialize(SESSION_COOKIE, value, { httpOnly: true, sameSite: "Strict", path: "/", secure });
}
const clearCookie = (secure: boolean): string => serialize(SESSION_COOKIE, "", { httpOnly: true, sameSite: "Strict", path: "/", secure, maxAge: 0 });

type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

/** The JSON body of an /auth POST, or the refusal: 415 for another content type, 400 for a bad body. */
async function jsonBody<T>(c: Context<GatewayEnv>, schema: z.ZodType<T>, what: string): Promise<Parsed<T>> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    return { ok: false, response: c.json({ error: `send the body as JSON with content-type: application/json (got ${type.slice(0, 80) || "none"})` }, 415) };
  }
  let text: string;
  try {
    text = await readBodyText(c.req.raw, MAX_AUTH_BODY, "the /auth body limit (4 KiB)");
  } catch (err) {
    if (!(err instanceof PayloadTooLargeError)) throw err;
    return { ok: false, response: c.json({ error: `the body is larger than ${MAX_AUTH_BODY} bytes` }, 413) };
  }
  const r = text.trim() === "" ? ({ ok: true, value: undefined } as const) : parseJson(text, 8);
  if (!r.ok) return { ok: false, response: c.json({ error: "the body is not valid JSON" }, 400) };
  const parsed = schema.safeParse(r.value);
  if (!parsed.success) return { ok: false, response: c.json({ error: `expected ${what}` }, 400) };
  return { ok: true, value: parsed.data };
}

function refused(c: Context<GatewayEnv>, check: TokenCheck & { ok: false }, message: string): Response {
  if (check.retryAfterMs) {
    return c.json({ error: "too many failed login attempts; retry later" }, 429, { "retry-after": String(Math.ceil(check.retryAfterMs / 1000)) });
  }
  return c.json({ error: message }, 401);
}

function startSession(c: Context<GatewayEnv>, gw: Gateway): Response {
  const { value, session } = gw.dashboard.createSession();
  gw.log.info("dashboard login", { session: session.id.slice(0, 8), ip: c.env?.ip ?? "unknown" });
  return c.json({ ok: true, expiresAt: session.expiresAt }, 200, { "set-cookie": sessionCookie(value, overHttps(c)), "cache-control": "no-store" });
}

export function registerDashboardAuth(app: Hono<GatewayEnv>, gw: Gateway): void {
  const ip = (c: Context<GatewayEnv>) => c.env?.ip ?? "unknown";

  app.post("/auth/exchange", async (c) => {
    const body = await jsonBody(c, ExchangeBody, '{"code": "<the code from openclaw dashboard>"}');
    if (!body.ok) return body.response;
    const check = gw.checkLoginCode(ip(c), body.value.code);
    if (!check.ok) return refused(c, check, "this login code is unknown, already used or expired; run `openclaw dashboard` again for a new one");
    return startSession(c, gw);
  });

  app.post("/auth/login", async (c) => {
    const body = await jsonBody(c, LoginBody, '{"token": "<the gateway token>"}');
    if (!body.ok) return body.response;
    const check = gw.checkToken(ip(c), body.value.token);
    if (!check.ok) return refused(c, check, "wrong gateway token; it is in OPENCLAW_GATEWAY_TOKEN, gateway.auth.token or the token file");
    return startSession(c, gw);
  });

  app.post("/auth/logout", async (c) => {
    const body = await jsonBody(c, LogoutBody, "an empty body or {}");
    if (!body.ok) return body.response;
    if (gw.dashboard.revoke(getCookie(c, SESSION_COOKIE))) gw.log.info("dashboard logout", { ip: ip(c) });
    return c.body(null, 204, { "set-cookie": clearCookie(overHttps(c)) });
  });

  app.get("/auth/session", (c) => {
    const headers = { "cache-control": "no-store" };
    if (!gw.authn.required) return c.json({ authenticated: true, expiresAt: null, scopes: [...ALL_SCOPES] }, 200, headers);
    const cookie = getCookie(c, SESSION_COOKIE);
    const session = gw.dashboard.verify(cookie);
    if (!session) return c.json({ authenticated: false }, 401, cookie === undefined ? headers : { ...headers, "set-cookie": clearCookie(overHttps(c)) });
    return c.json({ authenticated: true, expiresAt: session.expiresAt, scopes: [...session.scopes] }, 200, headers);
  });
}
