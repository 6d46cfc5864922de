/**
 * The OpenClaw handshake: the server's `connect.challenge {nonce, ts}` (sent when the socket opens
 * on OpenClaw's URL), the client's `req connect` (protocol range, credential, requested scopes),
 * and `hello-ok`. The credential goes through the gateway's one rate-limited, constant-time check
 * (connection.ts calls `gw.checkToken`); `auth.password` is checked the same way as `auth.token`
 * (our gateway has one shared secret).
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { ClientError } from "../client-error.ts";
import type { Scope } from "../rpc/method.ts";
import { eventFrame } from "./frames.ts";

export const PROTOCOL_MIN = 3;
export const PROTOCOL_MAX = 4;
export const HANDSHAKE_TIMEOUT_MS = 15_000;
export const TICK_INTERVAL_MS = 15_000;

export function challenge(now: number): { nonce: string; frame: string } {
  const nonce = randomBytes(24).toString("base64url");
  return { nonce, frame: eventFrame("connect.challenge", { nonce, ts: now }) };
}

export const ConnectParamsSchema = z.looseObject({
  minProtocol: z.number().int().min(1),
  maxProtocol: z.number().int().min(1),
  client: z.looseObject({
    id: z.string().min(1).max(128),
    version: z.string().min(1).max(128),
    platform: z.string().min(1).max(128),
    mode: z.string().min(1).max(64),
    deviceFamily: z.string().max(128).optional(),
  }),
  role: z.string().min(1).max(64).optional(),
  scopes: z.array(z.string().min(1).max(64)).max(64).optional(),
  auth: z.looseObject({ token: z.string().max(4096).optional(), password: z.string().max(4096).optional(), deviceToken: z.string().max(4096).optional() }).optional(),
  device: z.looseObject({ id: z.string().min(1).max(256), publicKey: z.string().min(1).max(512), signature: z.string().min(1).max(512), signedAt: z.number().int().min(0), nonce: z.string().min(1).max(256) }).optional(),
});
export type ConnectParams = z.infer<typeof ConnectParamsSchema>;

/** Our scopes, as OpenClaw names them → ours (unknown names map to nothing). */
export const oursOf = (requested: readonly string[]): Set<Scope> => new Set(requested.flatMap((s) => SCOPE_MAP[s] ?? []));

/** OpenClaw operator scopes → ours. `operator.pairing` grants no method of ours beyond read. */
const SCOPE_MAP: Record<string, Scope[]> = {
  "operator.read": ["read"],
  "operator.write": ["read", "write"],
  "operator.admin": ["read", "write", "admin"],
  "operator.pairing": ["read"],
};
const OURS_TO_THEIRS: Record<Scope, string> = { read: "operator.read", write: "operator.write", admin: "operator.admin" };

/** The scopes a connection gets: what the credential grants, narrowed to what the client asked for (none asked: all granted). */
export function narrowScopes(granted: ReadonlySet<Scope>, requested: readonly string[] | undefined): ReadonlySet<Scope> {
  if (!requested || requested.length === 0) return granted;
  const wanted = oursOf(requested);
  return new Set([...granted].filter((s) => wanted.has(s)));
}

export const theirScopes = (scopes: Iterable<Scope>): string[] => [...scopes].map((s) => OURS_TO_THEIRS[s]);

/** The highest version both sides speak, or null. */
export function negotiate(min: number, max: number): number | null {
  const hi = Math.min(max, PROTOCOL_MAX);
  return hi >= Math.max(min, PROTOCOL_MIN) ? hi : null;
}

const invalid = (message: string, details?: unknown): ClientError => ({ type: "InvalidRequestError", code: -32600, message, ...(details === undefined ? {} : { details }) });

export type ConnectCheck = { ok: true; params: ConnectParams; protocol: number; secret: string | null } | { ok: false; error: ClientError };

/** Validate a `connect` request's params (before the credential is looked at). */
export function checkConnect(raw: unknown): ConnectCheck {
  const parsed = ConnectParamsSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, error: invalid("invalid connect params", parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join("."), message: i.message }))) };
  }
  const p = parsed.data;
  const protocol = negotiate(p.minProtocol, p.maxProtocol);
  if (protocol === null) {
    return { ok: false, error: invalid(`protocol mismatch: this gateway speaks OpenClaw protocol ${PROTOCOL_MIN}-${PROTOCOL_MAX}, the client asked for ${p.minProtocol}-${p.maxProtocol}`, { code: "PROTOCOL_MISMATCH", min: PROTOCOL_MIN, max: PROTOCOL_MAX }) };
  }
  if (p.role !== undefined && p.role !== "operator") {
    return { ok: false, error: invalid(`role "${p.role.slice(0, 64)}" is not supported here; connect as role "operator"`) };
  }
  return { ok: true, params: p, protocol, secret: p.auth?.token ?? p.auth?.password ?? null };
}
