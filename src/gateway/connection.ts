/**
 * One client connection, protocol-neutral: its codec (chosen by the first frame), authentication,
 * subscriptions, and the ordering of what it is sent. A connection not authenticated at upgrade
 * must authenticate with its first frame (the codec says where the token is) within the auth
 * timeout, else it is closed with 1008. Frames before auth are capped at 64 KiB.
 *
 * Ordering: frames that arise while a request is being handled (the events of the run a
 * `chat.send` just started) are held until that request's answer is sent, so a client always sees
 * `{runId}` before the run's events. The hold queue is capped by count and bytes; a connection
 * that overflows it, like one that stops reading (the transport's backpressure limit), is dropped.
 */
import { RateLimitedError, UnauthorizedError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import { answerFrame } from "./answer.ts";
import { clientError, type ClientError } from "./client-error.ts";
import type { Codec } from "./codec.ts";
import type { Gateway } from "./gateway.ts";
import { HoldQueue } from "./hold.ts";
import type { Subscriber } from "./hub.ts";
import { jsonRpcCodec } from "./rpc/codec.ts";
import type { CallContext, Peer, Scope } from "./rpc/method.ts";

export const PRE_AUTH_MAX_FRAME = 65_536;
export const MAX_PENDING_REQUESTS = 256;
export const MAX_HELD = 10_000;

/** The transport under a connection (a Bun ServerWebSocket satisfies it). */
export interface FrameSink {
  /** bytes sent, -1 when queued under backpressure, 0 when dropped (the client is past its limit) */
  sendText(text: string): number;
  close(code: number, reason: string): void;
}

export class Connection implements Peer, Subscriber {
  readonly id = newId("con");
  readonly #subs = new Set<string>();
  readonly #held: HoldQueue;
  #codec: Codec | null = null;
  #ctx: CallContext | null = null;
  #holds = 0;
  pending = 0;
  closed = false;
  authTimer: ReturnType<typeof setTimeout> | undefined;
  #tick: ReturnType<typeof setInterval> | undefined;
  /** the connect.challenge nonce this socket was greeted with */
  #nonce: string | null = null;
  #disposed = false;

  constructor(
    private readonly sink: FrameSink,
    private readonly gw: Gateway,
    readonly ip: string,
    /** the scopes granted at upgrade (Authorization header), or null: the first frame must authenticate */
    upgradeScopes: ReadonlySet<Scope> | null,
    /** the dashboard session the upgrade's cookie named (methods may refuse session callers) */
    session?: string,
  ) {
    this.#held = new HoldQueue(() => ({ maxCount: MAX_HELD, maxBytes: gw.config().gateway.limits.maxBufferedBytes }));
    if (upgradeScopes) this.#ctx = { transport: "ws", ip, scopes: upgradeScopes, peer: this, ...(session ? { session } : {}) };
  }

  get authed(): boolean {
    return this.#ctx !== null;
  }

  /** JSON-RPC until the first frame has chosen. */
  get codec(): Codec {
    return this.#codec ?? jsonRpcCodec;
  }

  onFrame(text: string): void {
    if (this.closed) return;
    if (!this.#codec) this.#codec = this.gw.codecs.find((c) => c.claims(text)) ?? jsonRpcCodec;
    if (!this.#ctx) return this.#authenticate(text);
    if (this.pending >= MAX_PENDING_REQUESTS) {
      return this.#refuse(text, clientError(new RateLimitedError(`more than ${MAX_PENDING_REQUESTS} requests in flight on this connection; wait for answers`)));
    }
    this.pending++;
    this.#holds++;
    const done = (out: string | null) => {
      this.pending--;
      this.#release(out);
    };
    answerFrame(this.codec, this.codec.dispatcher ?? this.gw.dispatcher, text, this.#ctx, this.gw.decodeLimits()).then(done, (err) => {
      this.gw.log.error("answering a frame failed", { conn: this.id, error: err });
      done(null);
    });
  }

  #authenticate(text: string): void {
    if (text.length > PRE_AUTH_MAX_FRAME) return this.sink.close(1009, "frame too large before authentication");
    const codec = this.codec;
    const attempt = codec.decodeAuth(text);
    const { ref, token } = attempt;
    if (attempt.refusal) {
      const frame = codec.encodeError(ref, attempt.refusal);
      if (frame !== null) this.sink.sendText(frame);
      return this.sink.close(1008, "invalid handshake");
    }
    const check = attempt.verify ? this.gw.checkSecret(this.ip, token, attempt.verify) : this.gw.checkToken(this.ip, token);
    if (!check.ok) {
      const limited = check.retryAfterMs !== undefined;
      const err = limited
        ? new RateLimitedError(`too many failed authentication attempts; retry in ${Math.ceil(check.retryAfterMs! / 1000)} s`)
        : new UnauthorizedError("unauthorized");
      const frame = codec.encodeError(ref, clientError(err));
      if (frame !== null) this.sink.sendText(frame);
      return this.sink.close(1008, limited ? "rate limited" : "unauthorized");
    }
    let scopes = attempt.narrow ? attempt.narrow(check.scopes) : check.scopes;
    let state = attempt.state;
    if (attempt.admit) {
      const admitted = attempt.admit({ ip: this.ip, nonce: this.#nonce, scopes });
      if (!admitted.ok) {
        const frame = codec.encodeError(ref, admitted.error);
        if (frame !== null) this.sink.sendText(frame);
        return this.sink.close(1008, admitted.closeReason);
      }
      scopes = admitted.scopes;
      state = admitted.state ?? state;
    }
    this.#ctx = { transport: "ws", ip: this.ip, scopes, peer: this };
    clearTimeout(this.authTimer);
    const methods = (codec.dispatcher ?? this.gw.dispatcher).names();
    const hello = codec.encodeAuthOk(ref, { connectionId: this.id, version: this.gw.version, scopes: [...scopes], methods, state });
    if (hello !== null) this.#write(hello);
    codec.connected?.(this.id);
    const tick = codec.tick;
    if (tick) {
      this.#tick = setInterval(() => this.#write(tick.frame()), tick.intervalMs);
      this.#tick.unref?.();
    }
  }

  /** Answer every call of a frame with `error` (nothing is dispatched). */
  #refuse(text: string, error: ClientError): void {
    const d = this.codec.decode(text, this.gw.decodeLimits());
    const parts = d.kind === "invalid" ? [this.codec.encodeError(d.ref, d.error)] : d.items.map((i) => this.codec.encodeError(i.ref, error));
    const present = parts.filter((p): p is string => p !== null);
    const frame = d.kind === "calls" && d.batch ? this.codec.encodeBatch(present) : (present[0] ?? null);
    if (frame !== null) this.#write(frame);
  }

  /** Hub delivery: held while a request is in flight, else written. */
  send(text: string): void {
    if (this.closed) return;
    if (this.#holds > 0) {
      if (!this.#held.push(text)) this.drop("too many undelivered messages");
      return;
    }
    this.#write(text);
  }

  #write(text: string): void {
    if (this.closed) return;
    if (this.sink.sendText(text) === 0) this.drop("client not reading");
  }

  /** Send `first` (an answer), then whatever was held if no other request still holds. */
  #release(first: string | null): void {
    this.#holds--;
    if (first !== null) this.#write(first);
    if (this.#holds === 0 && this.#held.size > 0) for (const t of this.#held.drain()) this.#write(t);
  }

  drop(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.#held.drain();
    clearInterval(this.#tick);
    this.gw.metrics.wsDroppedSlow++;
    this.gw.log.warn("dropping slow websocket client", { conn: this.id, reason });
    this.sink.close(1008, "backpressure");
  }

  subscribe(sessionKey: string): void {
    this.#subs.add(sessionKey);
    this.gw.hub.subscribe(sessionKey, this);
  }
  unsubscribe(sessionKey: string): boolean {
    this.#subs.delete(sessionKey);
    return this.gw.hub.unsubscribe(sessionKey, this);
  }
  isSubscribed(sessionKey: string): boolean {
    return this.#subs.has(sessionKey);
  }
  subscriptionCount(): number {
    return this.#subs.size;
  }
  setLogTail(on: boolean): void {
    this.gw.hub.setLogTail(this, on);
  }
  /** What this connection's credential grants; empty before it has authenticated. */
  get scopes(): ReadonlySet<Scope> {
    return this.#ctx?.scopes ?? new Set();
  }

  /** The gateway begins to stop: tell an authenticated client whose codec has a word for it. */
  announceShutdown(reason: string): void {
    const frame = this.#ctx ? this.codec.shutdownFrame?.(reason) : undefined;
    if (frame !== undefined) this.send(frame);
  }

  /** Before any client frame (OpenClaw's `connect.challenge`, sent on OpenClaw's URL). */
  greet(frame: string, nonce: string): void {
    this.#nonce = nonce;
    this.#write(frame);
  }

  dispose(): void {
    if (this.#ctx && !this.#disposed) this.codec.disconnected?.(this.id);
    this.#disposed = true;
    this.closed = true;
    clearTimeout(this.authTimer);
    clearInterval(this.#tick);
    this.gw.hub.remove(this, this.#subs);
    this.#subs.clear();
    this.#held.drain();
  }
}
