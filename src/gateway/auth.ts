/**
 * Gateway authentication: one bearer token, from `--token`, `OPENCLAW_GATEWAY_TOKEN`,
 * `gateway.auth.token`, or the token file (generated once: 32 random bytes, mode 0600 in a 0700
 * directory). Accepted only from the `Authorization` header or the first WebSocket frame, never a
 * URL query. Compared in constant time (`ApiKey.equals`: SHA-256 digests, so neither content nor
 * length leaks).
 * Loopback is not trusted: every client authenticates.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../core/errors.ts";
import { ApiKey } from "../core/secrets.ts";

export type AuthMode = "none" | "token";
export type TokenSource = "flag" | "env" | "config" | "file" | "generated";

export interface ResolvedAuth {
  mode: AuthMode;
  token?: ApiKey;
  source?: TokenSource;
  /** the token file, when the token came from (or was written to) it */
  path?: string;
}

export class Authenticator {
  constructor(readonly auth: ResolvedAuth) {}
  get required(): boolean {
    return this.auth.mode !== "none";
  }
  /** Constant-time check of a presented token. Always false for an empty or missing value. */
  verify(presented: string | null | undefined): boolean {
    if (!this.required) return true;
    return this.auth.token?.equals(presented) ?? false;
  }
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}

export interface AuthInputs {
  /** gateway.auth.mode from config */
  mode: "none" | "token" | "password";
  flagToken?: string;
  envToken?: string;
  configToken?: string;
  configPassword?: string;
  tokenPath: string;
}

/** Decide the token and remember where it came from; generates and stores one if none is set. */
export function resolveAuth(inputs: AuthInputs): ResolvedAuth {
  if (inputs.mode === "none") return { mode: "none" };
  if (inputs.mode === "password") {
    if (!inputs.configPassword) throw new ConfigError("gateway.auth.mode is \"password\" but gateway.auth.password is not set");
    return { mode: "token", token: new ApiKey(inputs.configPassword), source: "config" };
  }
  if (inputs.flagToken) return { mode: "token", token: new ApiKey(inputs.flagToken), source: "flag" };
  if (inputs.envToken) return { mode: "token", token: new ApiKey(inputs.envToken), source: "env" };
  if (inputs.configToken) return { mode: "token", token: new ApiKey(inputs.configToken), source: "config" };
  const path = inputs.tokenPath;
  if (existsSync(path)) {
    const value = readFileSync(path, "utf8").trim();
    if (value.length < 16) throw new ConfigError(`the gateway token file ${path} is empty or too short; delete it to generate a new one`);
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return { mode: "token", token: new ApiKey(value), source: "file", path };
  }
  const value = randomBytes(32).toString("base64url");
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, value + "\n", { mode: 0o600, flag: "wx" });
  return { mode: "token", token: new ApiKey(value), source: "generated", path };
}

/** For the start line: where the token is, never its value. */
export function describeAuth(auth: ResolvedAuth): string {
  if (auth.mode === "none") return "auth: none (loopback only)";
  switch (auth.source) {
    case "flag":
      return "token: from --token";
    case "env":
      return "token: from OPENCLAW_GATEWAY_TOKEN";
    case "config":
      return "token: from gateway.auth in the config";
    case "generated":
      return `token: generated and stored in ${auth.path}`;
    default:
      return `token: in ${auth.path}`;
  }
}
