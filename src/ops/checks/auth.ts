/**
 * The gateway token and the bind + auth combination. The token is looked up the way the gateway
 * does (OPENCLAW_GATEWAY_TOKEN, gateway.auth.token, the token file) but never generated here
 * except by `--fix`, which writes the file the gateway would (32 random bytes, 0600 in 0700).
 * Strength is a heuristic: length × bits per character of the alphabet the token uses; it must
 * reach 256 bits (32 random bytes). Token values never appear in a message.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { shellQuote } from "../../config/load.ts";
import { gatewayTokenPath } from "../../config/paths.ts";
import { errorMessage, UnauthorizedError } from "../../core/errors.ts";
import { bindHost, isLoopback } from "../../gateway/server.ts";
import { fail, ok, warn, type Check, type DoctorContext } from "./types.ts";

export const MIN_TOKEN_BITS = 256;

/** Estimated bits of entropy of a token, from its length and the alphabet it draws on. */
export function tokenBits(token: string): number {
  // repeated characters: not random. The bar is low on purpose: 64 random hex digits miss at least
  // one of the 16 digits about 2.6% of the time, so "all 16 present" would fail real tokens.
  if (new Set(token).size < Math.min(8, token.length / 4)) return 0;
  let bitsPerChar: number;
  if (/^[0-9]+$/.test(token)) bitsPerChar = Math.log2(10);
  else if (/^[0-9a-f]+$/.test(token) || /^[0-9A-F]+$/.test(token)) bitsPerChar = 4;
  else if (/^[a-z]+$/.test(token) || /^[A-Z]+$/.test(token)) bitsPerChar = Math.log2(26);
  else if (/^[A-Za-z0-9_+/=-]+$/.test(token)) bitsPerChar = 6; // base64 / base64url
  else bitsPerChar = Math.log2(94);
  return Math.floor(token.replace(/=+$/, "").length * bitsPerChar);
}

export interface FoundToken {
  value: string;
  where: string;
  /** how to replace it */
  replace: string;
}

/** 32 random bytes as 64 hex digits, from coreutils alone */
const NEW_TOKEN = "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n')";

/**
 * The token the gateway would use, the way it looks: OPENCLAW_GATEWAY_TOKEN, gateway.auth.token
 * (or .password), else the token file. The one token reader of ops/ (the gateway client uses it).
 */
export function findToken(ctx: Pick<DoctorContext, "config" | "envOverrides">): FoundToken | null {
  const a = ctx.config.gateway.auth;
  if (a.mode === "password") return a.password ? { value: a.password, where: "gateway.auth.password", replace: `openclaw config set gateway.auth.password "${NEW_TOKEN}"` } : null;
  if (a.token) {
    return ctx.envOverrides.includes("OPENCLAW_GATEWAY_TOKEN")
      ? { value: a.token, where: "OPENCLAW_GATEWAY_TOKEN", replace: `export OPENCLAW_GATEWAY_TOKEN="${NEW_TOKEN}" (and where the service sets it)` }
      : { value: a.token, where: "gateway.auth.token", replace: `openclaw config set gateway.auth.token "${NEW_TOKEN}"` };
  }
  const path = gatewayTokenPath();
  if (!existsSync(path)) return null;
  let value: string;
  try {
    value = readFileSync(path, "utf8").trim();
  } catch (err) {
    throw new UnauthorizedError(`cannot read the gateway token file ${path} (${errorMessage(err)}); run as the user the gateway runs as`);
  }
  return { value, where: path, replace: `rm ${shellQuote(path)} && openclaw doctor --fix` };
}

export const tokenCheck: Check = {
  id: "token",
  run(ctx) {
    if (ctx.config.gateway.auth.mode === "none") return ok("token", "gateway.auth.mode is none: no token is used (see the bind-auth check)");
    const found = findToken(ctx);
    if (!found) {
      if (ctx.config.gateway.auth.mode === "password") return fail("token", 'gateway.auth.mode is "password" but gateway.auth.password is not set: the gateway will not start', `openclaw config set gateway.auth.password "${NEW_TOKEN}"`);
      return warn("token", `no gateway token yet (${gatewayTokenPath()}); the gateway generates one at first start`, "openclaw doctor --fix");
    }
    const bits = tokenBits(found.value);
    if (bits < MIN_TOKEN_BITS) return fail("token", `the gateway token in ${found.where} is weak (about ${bits} bits; at least ${MIN_TOKEN_BITS}, i.e. 32 random bytes, are needed)`, found.replace);
    return ok("token", `the gateway token in ${found.where} is strong (about ${bits} bits)`);
  },
  repair(ctx) {
    if (ctx.config.gateway.auth.mode !== "token" || findToken(ctx)) return null; // replacing a weak token is the operator's call
    const path = gatewayTokenPath();
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, randomBytes(32).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
    return `generated a gateway token in ${path} (0600)`;
  },
};

export const bindAuthCheck: Check = {
  id: "bind-auth",
  run(ctx) {
    const host = bindHost(ctx.config.gateway.bind);
    const none = ctx.config.gateway.auth.mode === "none";
    if (isLoopback(host)) {
      if (none) return warn("bind-auth", `loopback bind (${host}) without auth: every local user and every local program can drive the agent`, "openclaw config set gateway.auth.mode token");
      return ok("bind-auth", `loopback bind (${host}) with ${ctx.config.gateway.auth.mode} auth`);
    }
    if (none) return fail("bind-auth", `gateway.bind ${ctx.config.gateway.bind} (${host}) without auth: the gateway refuses to start, as anyone on the network could drive the agent`, "openclaw config set gateway.auth.mode token (or openclaw config set gateway.bind loopback)");
    return ok("bind-auth", `network bind (${host}) with ${ctx.config.gateway.auth.mode} auth; put TLS in front of it (a reverse proxy) when it leaves this machine`);
  },
};
