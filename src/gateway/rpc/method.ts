/**
 * What a gateway method is, independent of any wire format: a name, the scope a caller needs, a zod
 * schema for its params, and a handler. The dispatcher validates and authorizes before the handler
 * runs; codecs (JSON-RPC today, OpenClaw's frames later) only map their frames onto these calls.
 *
 * Scopes (docs/gateway.md lists which method needs which):
 * - `read`: look, change nothing (status, history, session lists, subscriptions to run events);
 * - `write`: drive the agent (send, abort, reset or delete a session);
 * - `admin`: operate the gateway (config, logs, pairing approvals).
 * A token grants all three today; narrower grants (dashboard sessions, OpenClaw clients) come later.
 */
import { z } from "zod";
import { InvalidRequestError } from "../../core/errors.ts";

export const ScopeSchema = z.enum(["read", "write", "admin"]);
export type Scope = z.infer<typeof ScopeSchema>;
export const ALL_SCOPES: ReadonlySet<Scope> = new Set(ScopeSchema.options);

/**
 * The connection a call came on, as far as methods need it. Subscriptions live on a WebSocket
 * connection; over HTTP there is no peer.
 */
export interface Peer {
  readonly id: string;
  subscribe(sessionKey: string): void;
  unsubscribe(sessionKey: string): boolean;
  isSubscribed(sessionKey: string): boolean;
  subscriptionCount(): number;
  setLogTail(on: boolean): void;
  /** deliver a frame this connection's codec made (held, like events, until the current answer is sent) */
  send?(text: string): void;
}

export interface CallContext {
  transport: "ws" | "http";
  ip: string;
  /** what the caller's credential grants */
  scopes: ReadonlySet<Scope>;
  /** present on WebSocket calls */
  peer?: Peer;
  /** the dashboard session (its digest) when the connection authenticated with the session cookie */
  session?: string;
}

export interface MethodDef<S extends z.ZodType = z.ZodType> {
  name: string;
  scope: Scope;
  params: S;
  /** may throw an OpenClawError (sent as is) or anything else (sent as a bare internal error, logged) */
  handler: (params: z.output<S>, ctx: CallContext) => unknown;
}

export function defineMethod<S extends z.ZodType>(def: MethodDef<S>): MethodDef {
  return def as unknown as MethodDef;
}

/** Thrown by methods that need a WebSocket (subscriptions) when called over HTTP. */
export function requirePeer(ctx: CallContext): Peer {
  if (!ctx.peer) throw new InvalidRequestError("this method needs a WebSocket connection (subscriptions are per connection)");
  return ctx.peer;
}
