/**
 * The gateway's state, independent of the transport: dispatcher, fan-out hub, run gate, auth,
 * rate limiting, origin policy, metrics, the recent-log ring. `app.ts` (HTTP) and `ws.ts`
 * (WebSocket) are thin adapters over it; `server.ts` puts both on one `Bun.serve` port.
 */
import type { Channel } from "../channels/channel.ts";
import type { Config } from "../config/schema.ts";
import { createLogger, onLog, type Logger, type LogRecord } from "../core/log.ts";
import { AuthRateLimiter } from "../core/ratelimit.ts";
import { singleNodeFanout } from "../store/fanout.ts";
import type { SessionStore } from "../store/types.ts";
import { Authenticator } from "./auth.ts";
import { ClusterEvents } from "./cluster-events.ts";
import { DashboardAuth } from "./dashboard-auth.ts";
import type { Codec, DecodeLimits } from "./codec.ts";
import type { Connection } from "./connection.ts";
import { openclawCodec } from "./compat/codec.ts";
import type { ConfigSource, GatewayDeps, GatewayRuntime, SandboxStatus } from "./deps.ts";
import { Hub } from "./hub.ts";
import { GatewayMetrics } from "./metrics.ts";
import { OriginPolicy, ownOrigins } from "./origin.ts";
import { jsonRpcCodec } from "./rpc/codec.ts";
import { Dispatcher } from "./rpc/dispatch.ts";
import { ALL_SCOPES, type Scope } from "./rpc/method.ts";
import { chatMethods } from "./rpc/methods/chat.ts";
import { configMethods } from "./rpc/methods/config.ts";
import { dashboardMethods } from "./rpc/methods/dashboard.ts";
import { memoryMethods } from "./rpc/methods/memory.ts";
import { metricsMethods } from "./rpc/methods/metrics.ts";
import { pairingMethods } from "./rpc/methods/pairing.ts";
import { sessionMethods } from "./rpc/methods/sessions.ts";
import { systemMethods } from "./rpc/methods/system.ts";
import { pluginMethods } from "./rpc/methods/plugins.ts";
import { RunGate } from "./run-gate.ts";

const LOG_RING = 500;

/**
 * A token check: the scopes the credential grants (a token grants all today), or a refusal;
 * `retryAfterMs` when the source is rate limited (the token was not looked at).
 */
export type TokenCheck = { ok: true; scopes: ReadonlySet<Scope> } | { ok: false; retryAfterMs?: number };

/** A session reset or deleted through the gateway. */
export interface SessionChange {
  sessionKey: string;
  reason: "reset" | "delete";
}

export class Gateway {
  readonly runtime: GatewayRuntime;
  readonly store: SessionStore;
  readonly configSource: ConfigSource;
  readonly log: Logger;
  readonly version: string;
  readonly startedAt = Date.now();
  readonly metrics = new GatewayMetrics();
  readonly hub = new Hub();
  readonly authn: Authenticator;
  readonly limiter: AuthRateLimiter;
  /** dashboard login codes and cookie sessions (dashboard-auth.ts) */
  readonly dashboard: DashboardAuth;
  readonly origins: OriginPolicy;
  readonly runs: RunGate;
  /** run events to and from the other nodes on one database (cluster-events.ts); a no-op on one node */
  readonly cluster: ClusterEvents;
  readonly dispatcher: Dispatcher;
  /** the wire formats a WebSocket may speak, tried in order on its first frame: OpenClaw's frames, JSON-RPC last */
  readonly codecs: readonly Codec[];
  readonly channels: Channel[];
  readonly recentLogs: LogRecord[] = [];
  /** open WebSocket connections (ws.ts adds and removes them) */
  readonly connections = new Set<Connection>();
  /** set by server.ts once listening; used for the gateway's own origins */
  listening: { hostname: string; port: number } | null = null;
  readonly #unsubscribe: (() => void)[] = [];
  readonly #sessionListeners = new Set<(change: SessionChange) => void>();
  readonly #sweep: ReturnType<typeof setInterval>;

  constructor(readonly deps: GatewayDeps) {
    this.runtime = deps.runtime;
    this.store = deps.store ?? deps.runtime.store;
    this.configSource = deps.config;
    this.log = deps.log ?? createLogger("gateway");
    this.version = deps.version ?? "0.0.0-dev";
    this.channels = deps.channels ?? [];
    this.authn = new Authenticator(deps.auth);
    this.limiter = new AuthRateLimiter(deps.rateLimit);
    this.dashboard = new DashboardAuth(deps.dashboardAuth);
    this.origins = new OriginPolicy(
      () => (this.listening ? ownOrigins(this.listening.hostname, this.listening.port) : []),
      () => this.config().gateway.allowedOrigins,
    );
    // a reset / delete on another node is announced here as one of ours (OpenClaw's sessions.changed)
    this.cluster = new ClusterEvents(deps.fanout ?? singleNodeFanout(), this.hub, this.log.child("cluster"), (c) => this.#sessionChanged(c));
    this.runs = new RunGate(this.runtime, this.metrics, () => this.config().gateway.limits.maxRunsPerSession);
    this.dispatcher = new Dispatcher([...chatMethods(this), ...sessionMethods(this), ...configMethods(this), ...systemMethods(this), ...pairingMethods(this),
      ...dashboardMethods(this), ...metricsMethods(this), ...memoryMethods(this), ...pluginMethods(this)], {
      log: this.log.child("rpc"),
      observe: (m, ms, ok) => this.metrics.observeRpc(m, ms, ok),
    });
    this.codecs = [...(deps.codecs ?? []), openclawCodec(this, deps.openclaw), jsonRpcCodec];
    this.#unsubscribe.push(
      this.runtime.onEvent((ev) => {
        this.hub.publish(ev);
        this.cluster.local(ev);
        if (ev.type === "final") this.metrics.observeRun(ev.outcome, ev.durationMs);
        else if (ev.type === "run_started") this.metrics.live.messages++;
      }),
      onLog((r) => {
        this.recentLogs.push(r);
        if (this.recentLogs.length > LOG_RING) this.recentLogs.splice(0, this.recentLogs.length - LOG_RING);
        this.hub.publishLog(r);
      }),
    );
    this.metrics.startLagSampler();
    this.metrics.live.start(() => ({ rssBytes: process.memoryUsage.rss(), runsInFlight: this.runtime.runs().length }));
    this.#sweep = setInterval(() => this.dashboard.sweep(), 60_000);
    this.#sweep.unref?.();
  }

  config(): Config {
    return this.configSource.get();
  }

  /** Read live on every frame, so `config.patch` of these limits applies at once. */
  decodeLimits(): DecodeLimits {
    const l = this.config().gateway.limits;
    return { maxDepth: l.maxJsonDepth, maxBatch: l.maxBatch };
  }

  /**
   * The one token check for every transport (HTTP header, WebSocket upgrade header, first frame):
   * a rate-limited source (or a spent global budget) is refused before the token is looked at; a
   * wrong token counts against its source and the budget (a missing one only in the metrics); a
   * right one clears its source.
   */
  checkToken(ip: string, token: string | null | undefined): TokenCheck {
    if (!this.authn.required) return { ok: true, scopes: ALL_SCOPES };
    return this.checkSecret(ip, token, (t) => this.authn.verify(t));
  }

  /** A dashboard login code (POST /auth/exchange), limited like a token: it consumes the code when the source may try. */
  checkLoginCode(ip: string, code: string | null | undefined): TokenCheck {
    return this.checkSecret(ip, code, (c) => this.dashboard.consumeCode(c));
  }

  /** Any secret (a token, a login code, an OpenClaw device token) under the one failed-auth rate limit. */
  checkSecret(ip: string, presented: string | null | undefined, verify: (value: string) => boolean): TokenCheck {
    const wait = this.limiter.retryAfterMs(ip);
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    if (!presented || !verify(presented)) {
      // Only a presented secret is a guess. A request with none (a web page's <img src> needs no
      // preflight and carries no Origin) cannot succeed, so it must not spend anyone's budget.
      if (presented) this.limiter.failure(ip);
      this.metrics.authFailures++;
      return { ok: false };
    }
    this.limiter.success(ip);
    return { ok: true, scopes: ALL_SCOPES };
  }

  /**
   * Reset / delete a session: the one place every caller through the gateway goes (JSON-RPC, the CLI
   * through a running gateway, OpenClaw frames), so each change is announced once (OpenClaw's
   * `sessions.changed`). A delete that found no session announces nothing.
   */
  async resetSession(sessionKey: string): Promise<void> {
    await this.runtime.resetSession(sessionKey);
    this.#sessionChanged({ sessionKey, reason: "reset" });
    this.cluster.sessionChanged({ sessionKey, reason: "reset" });
  }
  async deleteSession(sessionKey: string): Promise<boolean> {
    const deleted = await this.runtime.deleteSession(sessionKey);
    if (deleted) {
      this.#sessionChanged({ sessionKey, reason: "delete" });
      this.cluster.sessionChanged({ sessionKey, reason: "delete" });
    }
    return deleted;
  }
  onSessionChange(listener: (change: SessionChange) => void): () => void {
    this.#sessionListeners.add(listener);
    return () => this.#sessionListeners.delete(listener);
  }
  #sessionChanged(change: SessionChange): void {
    for (const l of this.#sessionListeners) {
      try {
        l(change);
      } catch (err) {
        this.log.error("a session change listener failed", { error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  /** `agent:<agentId>:<session.mainKey>`, the session a client gets when it names none. */
  defaultSessionKey(agentId = "main"): string {
    return `agent:${agentId}:${this.config().session.mainKey}`;
  }

  async sandboxStatus(): Promise<SandboxStatus> {
    if (this.deps.sandboxStatus) return this.deps.sandboxStatus();
    const level = this.config().agents.defaults.sandbox?.level ?? "standard";
    return { level, available: level === "off", detail: level === "off" ? "sandbox off" : "not probed" };
  }

  /** Send `frame` to every authenticated connection speaking `codec` whose credential grants `scope` (and, given, that `only` keeps). */
  broadcast(codec: string, scope: Scope, frame: string, only?: (connId: string) => boolean): void {
    for (const c of this.connections) if (c.codec.name === codec && c.scopes.has(scope) && (!only || only(c.id))) c.send(frame);
  }

  /** The gateway begins to stop: every connection whose codec has a shutdown frame gets it (OpenClaw's `shutdown` event). */
  announceShutdown(reason: string): void {
    for (const c of this.connections) c.announceShutdown(reason);
  }

  /** Stop listening to the runtime and the log; the server closes connections itself. */
  dispose(): void {
    for (const u of this.#unsubscribe.splice(0)) u();
    this.cluster.dispose();
    clearInterval(this.#sweep);
    this.metrics.stop();
  }
}

export function createGateway(deps: GatewayDeps): Gateway {
  return new Gateway(deps);
}
