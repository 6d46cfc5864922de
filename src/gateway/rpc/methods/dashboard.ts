/**
 * dashboard.code: a one-time login code for `openclaw dashboard`, and the URL that carries it in
 * its fragment (`/#/login?code=…`: a fragment is never sent to a server, so the code is in no
 * request line, access log or Referer). Only a token holder may mint one: a call on a dashboard
 * session is refused, so script running in the page cannot turn the session it rides on into a
 * fresh credential for somewhere else, nor extend its own life past the absolute limit.
 */
import { z } from "zod";
import { ForbiddenError } from "../../../core/errors.ts";
import type { Gateway } from "../../gateway.ts";
import { defineMethod, type MethodDef } from "../method.ts";

/** The host a browser on this machine uses for a gateway bound to `host` (a wildcard bind is reached on loopback). */
export function browserHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

export function dashboardUrl(gw: Gateway, code: string): string {
  const at = gw.listening ?? { hostname: "127.0.0.1", port: gw.config().gateway.port };
  return `http://${browserHost(at.hostname)}:${at.port}/#/login?code=${encodeURIComponent(code)}`;
}

export function dashboardMethods(gw: Gateway): MethodDef[] {
  return [
    defineMethod({
      name: "dashboard.code",
      scope: "admin",
      params: z.strictObject({}),
      handler: (_p, call) => {
        if (call.session) throw new ForbiddenError("a dashboard session cannot mint login codes; run `openclaw dashboard` with the gateway token");
        const { code, expiresAt } = gw.dashboard.mintCode();
        return { code, expiresAt, url: dashboardUrl(gw, code) };
      },
    }),
  ];
}
