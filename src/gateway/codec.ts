/**
 * A wire format for gateway connections. The dispatcher, the hub and the connection are
 * protocol-neutral; a codec turns a client's frames into method calls and the results, errors and
 * events back into frames. Each WebSocket connection picks its codec from its first frame (the
 * first codec whose `claims` accepts it; JSON-RPC, which claims everything, comes last), so
 * OpenClaw's `{type:"req",method:"connect",…}` frames can be a second codec beside JSON-RPC.
 * `POST /rpc` always uses the JSON-RPC codec.
 *
 * Contract: no method throws. `Ref` is the codec's own correlation (a JSON-RPC id; `undefined`
 * for a notification, which gets no answer: `encodeResult`/`encodeError` return null). Encoders
 * return the exact text to send. `encodeEvent` must depend only on the event, so the hub can
 * serialise an event once per codec and send the same text to every subscriber of that codec.
 */
import type { AgentEvent } from "../agent/types.ts";
import type { LogRecord } from "../core/log.ts";
import type { ClientError } from "./client-error.ts";
import type { Dispatcher } from "./rpc/dispatch.ts";
import type { Scope } from "./rpc/method.ts";

/** A run event as clients see it: an `error` event carries a `ClientError` (typed, safe). */
export type ClientAgentEvent = Exclude<AgentEvent, { type: "error" }> | { type: "error"; runId: string; sessionKey: string; error: ClientError };

/** What the hub publishes; each subscriber's codec serialises it. */
export type GatewayEvent =
  | { kind: "run"; sessionKey: string; runId: string; event: ClientAgentEvent }
  | { kind: "log"; record: LogRecord };

export interface DecodeLimits {
  maxDepth: number;
  maxBatch: number;
}

export type DecodedItem<Ref> = { ref: Ref; method: string; params: unknown } | { ref: Ref; error: ClientError };

export type Decoded<Ref> =
  /** one frame's calls; `batch` when the frame held several (answered together, `encodeBatch`) */
  | { kind: "calls"; batch: boolean; items: DecodedItem<Ref>[] }
  /** the frame as a whole is unusable (not parseable, too deep, a batch too large) */
  | { kind: "invalid"; ref: Ref; error: ClientError };

export interface HelloInfo {
  connectionId: string;
  version: string;
  scopes: readonly Scope[];
  methods: readonly string[];
  /** what the codec's `decodeAuth` returned as `state` */
  state?: unknown;
}

/** A first frame's credential, as the codec read it. */
export interface AuthAttempt<Ref> {
  ref: Ref;
  token: string | null;
  /** refused before the credential is looked at (a malformed handshake): answered with this error, then closed 1008 */
  refusal?: ClientError;
  /** narrow what the credential grants (the scopes the client asked for) */
  narrow?: (granted: ReadonlySet<Scope>) => ReadonlySet<Scope>;
  /** handshake facts for `encodeAuthOk` (a negotiated protocol version) */
  state?: unknown;
  /** check `token` this way instead of as the gateway token (an OpenClaw device token), under the same rate limit */
  verify?: (token: string) => boolean;
  /** after the credential passed: admit (maybe narrowing scopes, adding state) or refuse (answered, then closed 1008 with `closeReason`) */
  admit?: (a: { ip: string; nonce: string | null; scopes: ReadonlySet<Scope> }) => Admission;
}

export type Admission = { ok: true; scopes: ReadonlySet<Scope>; state?: unknown } | { ok: false; error: ClientError; closeReason: string };


export interface Codec<Ref = unknown> {
  readonly name: string;
  /** Is this the first frame of a connection speaking this codec's protocol? */
  claims(firstFrame: string): boolean;
  /** The credential in the first frame of a connection that did not authenticate at upgrade; token null when there is none. */
  decodeAuth(frame: string): AuthAttempt<Ref>;
  /** The answer to a successful first-frame authentication; null when none is due. */
  encodeAuthOk(ref: Ref, hello: HelloInfo): string | null;
  decode(frame: string, limits: DecodeLimits): Decoded<Ref>;
  encodeResult(ref: Ref, result: unknown): string | null;
  encodeError(ref: Ref, error: ClientError): string | null;
  /** Several answers to one frame → one frame; null when no answer is due. */
  encodeBatch(parts: string[]): string | null;
  /** null when this codec does not carry the event. */
  encodeEvent(event: GatewayEvent): string | null;
  /** the codec's own method table (OpenClaw's names and shapes); default: the gateway's */
  readonly dispatcher?: Dispatcher;
  /** the frame an authenticated connection gets when the gateway begins to stop (OpenClaw's `shutdown` event) */
  shutdownFrame?(reason: string): string;
  /** the connection authenticated and its hello frame was written (OpenClaw's `presence` event) */
  connected?(connectionId: string): void;
  /** an authenticated connection closed */
  disconnected?(connectionId: string): void;
  /** a keep-alive event sent every `intervalMs` once the connection has authenticated */
  readonly tick?: { intervalMs: number; frame(): string };
}
