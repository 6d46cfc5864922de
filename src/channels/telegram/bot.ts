/**
 * The Telegram channel: a grammY `Bot` (its `apiRoot` configurable) fed by the durable inbox, from
 * long polling (default) or the webhook route; the update handlers are in handlers.ts. This file
 * is the life cycle: background connect (connect.ts), polling or webhook, status, stop.
 */
import { Bot } from "grammy";
import type { Update } from "grammy/types";
import type { Sleep } from "../../core/backoff.ts";
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { Cluster } from "../../store/cluster.ts";
import type { RateLimitOptions } from "../../core/ratelimit.ts";
import type { Channel, ChannelContext, ChannelRoute, ChannelState, ChannelStatus } from "../channel.ts";
import { normalizeId } from "./access.ts";
import { installTransformers } from "./api.ts";
import { realClock, type Clock } from "./clock.ts";
import { connectWithRetries } from "./connect.ts";
import { COMMANDS, isUrgent } from "./commands.ts";
import type { TgContext } from "./turn-state.ts";
import { Inbox, orderingKey, type HandleResult } from "./delivery.ts";
import { composeHandlers } from "./handlers.ts";
import { MEDIA_TIMEOUT_MS } from "./media.ts";
import { claimPolling, Poller } from "./poller.ts";
import { TelegramSender } from "./send.ts";
import type { TelegramSettings } from "./settings.ts";
import { ChatThrottle } from "./stream.ts";
import { webhookRoute } from "./webhook.ts";

const ALLOWED_UPDATES = ["message"];

export interface TelegramChannelOptions {
  /** how long stop() waits for replies in flight (default 10 s) */
  shutdownGraceMs?: number;
  /** time for throttling and backoff (tests pass a fake or a fast one) */
  clock?: Clock;
  /** sleep used between network retries of a call (default: the clock's) */
  sleep?: Sleep;
  maxWebhookBodyBytes?: number;
  /** failed webhook secret checks allowed per source and overall (over webhook.ts WEBHOOK_RATE_LIMIT) */
  webhookLimits?: Partial<RateLimitOptions>;
  /** a media download's time limit (default 60 s) */
  mediaTimeoutMs?: number;
  /** connect attempts at start before the channel gives up (default 8, about 4 minutes) */
  maxConnectAttempts?: number;
  /** one connect attempt's time limit (default 30 s) */
  connectTimeoutMs?: number;
}

export class TelegramChannel implements Channel {
  readonly id = "telegram";
  readonly bot: Bot<TgContext>;
  readonly sender: TelegramSender;
  readonly inbox: Inbox;
  readonly #ctx: ChannelContext;
  readonly #s: TelegramSettings;
  readonly #log: Logger;
  readonly #o: TelegramChannelOptions;
  readonly #throttle: ChatThrottle;
  readonly #results = new WeakMap<object, { result: HandleResult }>();
  readonly #userAborted = new Set<string>();
  readonly #clock: Clock;
  #poller: Poller | null = null;
  #stopLeading: (() => Promise<void>) | null = null;
  #takeover: ReturnType<typeof setInterval> | null = null;
  #leading: Promise<void> = Promise.resolve();
  #state: ChannelState = "starting";
  #stopping = false;
  #lastError: string | undefined;
  #lastUpdateAt: number | undefined;
  #sweep: ReturnType<typeof setInterval> | null = null;
  #abort: AbortController | null = null;
  #connecting: Promise<void> | null = null;
  #releasePolling: (() => void) | null = null;
  #inited = Promise.withResolvers<void>();
  stats = { rejected: 0, pairingCodes: 0 };

  constructor(ctx: ChannelContext, settings: TelegramSettings, opts: TelegramChannelOptions = {}) {
    this.#ctx = ctx;
    this.#s = settings;
    this.#o = opts;
    this.#log = ctx.log.child("telegram");
    // The runtime's own fetch: grammY's Node default (node-fetch over node:http with a keep-alive
    // agent) serialised calls under load on Bun (measured: ~20 replies/s vs hundreds). We send JSON
    // only (no file uploads), which the built-in fetch handles as is.
    // timeoutSeconds bounds every Bot API request (the long poll included, hence the margin).
    const client = { apiRoot: settings.apiRoot, timeoutSeconds: settings.pollTimeoutSeconds + 30, fetch: globalThis.fetch as never, baseFetchConfig: {} };
    this.bot = new Bot<TgContext>(settings.token.reveal(), { client });
    this.#clock = opts.clock ?? realClock;
    const counters = { rateLimited: 0 };
    installTransformers(this.bot.api, counters);
    this.sender = new TelegramSender(this.bot.api, { log: this.#log, counters, sleep: opts.sleep ?? this.#clock.sleep });
    this.#throttle = new ChatThrottle(settings.editThrottleMs, this.#clock);
    this.inbox = new Inbox({
      store: ctx.store,
      log: this.#log,
      urgent: isUrgent,
      keyOf: orderingKey,
      handle: (u) => this.handleUpdate(u),
    });
    composeHandlers(this.bot, {
      ctx, settings, sender: this.sender, throttle: this.#throttle, log: this.#log, results: this.#results, userAborted: this.#userAborted,
      stopping: () => this.#stopping, stats: this.stats, mediaTimeoutMs: opts.mediaTimeoutMs ?? MEDIA_TIMEOUT_MS,
    });
  }

  /** Run one update through the handlers (the inbox calls this; tests may too). */
  async handleUpdate(update: Update): Promise<HandleResult> {
    await this.#inited.promise; // a webhook update can arrive before getMe answered
    if (!this.bot.isInited()) return "keep"; // stopped before connecting: handled after the restart
    this.#lastUpdateAt = this.#clock.now();
    const box = { result: "done" as HandleResult };
    this.#results.set(update, box);
    await this.bot.handleUpdate(update);
    return box.result;
  }

  /**
   * Returns at once (after the local checks: one poller per token); connecting happens in the
   * background (`connect.ts`), reported by `status().state`. `ready()` settles when it is done.
   */
  async start(): Promise<void> {
    if (this.#connecting) return;
    // one poller per token in this process; with a cluster the claim is taken when leadership is (#lead)
    if (!this.#s.webhook && !this.#cluster()?.multiNode) this.#releasePolling = claimPolling(this.#tokenId());
    this.#stopping = false;
    this.#state = "starting";
    this.#lastError = undefined;
    this.#inited = Promise.withResolvers<void>();
    const abort = new AbortController();
    this.#abort = abort;
    this.#connecting = this.#connect(abort.signal).catch((err) => {
      this.#fail(`start failed: ${errorMessage(err)}`);
    });
  }

  /** Settles when the start-up is over (running, failed or stopped); for tests and callers that want to wait. */
  async ready(): Promise<ChannelState> {
    await this.#connecting;
    return this.status().state;
  }

  /** Settles when the polling loop has ended (after a conflict, a refused token, or stop()). */
  async pollerDone(): Promise<void> {
    await this.#poller?.done;
  }

  async #connect(signal: AbortSignal): Promise<void> {
    const s = this.#s;
    const host = new URL(s.apiRoot).host;
    const result = await connectWithRetries(
      {
        log: this.#log, host, clock: this.#clock, maxAttempts: this.#o.maxConnectAttempts ?? 8, attemptTimeoutMs: this.#o.connectTimeoutMs ?? 30_000,
        baseDelayMs: 1000, maxDelayMs: 60_000,
        onRetry: (lastError) => {
          this.#state = "retrying";
          this.#lastError = lastError;
        },
      },
      async (sig) => {
        if (!this.bot.isInited()) this.bot.botInfo = await this.bot.api.getMe(sig as never);
        if (s.webhook) await this.bot.api.setWebhook(s.webhook.url, { secret_token: s.webhook.secret.reveal(), allowed_updates: ALLOWED_UPDATES as never }, sig as never);
        else await this.bot.api.deleteWebhook({}, sig as never);
      },
      signal,
    );
    if (!result.ok) {
      if (result.reason === "failed") this.#fail(result.lastError);
      return;
    }
    this.#inited.resolve();
    this.sender.call("setMyCommands", () => this.bot.api.setMyCommands(COMMANDS, {}, signal as never)).catch((err) => this.#log.warn("telegram setMyCommands failed", { err: errorMessage(err) }));
    await this.inbox.recover();
    if (!s.webhook) {
      if (signal.aborted) return;
      // several nodes on one database: only the leader long-polls (getUpdates allows one consumer per token)
      const cluster = this.#cluster();
      if (cluster?.multiNode) this.#stopLeading = cluster.leader("telegram-poller", (leader) => void this.#lead(leader));
      else await (this.#poller = this.#newPoller()).start();
    }
    // several nodes: pending updates of nodes that died (or stopped) are taken over here (claimed in the store)
    if (this.#cluster()?.multiNode) this.#takeover = setInterval(() => void this.inbox.recover().catch(() => {}), this.#cluster()!.heartbeatMs ?? 5_000);
    this.#sweep = setInterval(() => this.#throttle.sweep(), 60_000);
    this.#state = "running";
    this.#lastError = undefined;
    this.#log.info("telegram channel started", { bot: `@${this.bot.botInfo.username}`, mode: s.webhook ? "webhook" : "polling", host });
  }

  #cluster(): Cluster | undefined {
    return (this.#ctx.runtime as { cluster?: Cluster }).cluster;
  }

  #tokenId(): string {
    return this.#s.token.reveal().split(":")[0]!;
  }

  #newPoller(): Poller {
    const s = this.#s;
    const store = this.#ctx.store;
    const ns = "telegram.poll";
    const key = String(this.bot.botInfo.id);
    return new Poller({
      api: this.bot.api, log: this.#log, timeoutSeconds: s.pollTimeoutSeconds, watchdogMs: s.watchdogMs, allowedUpdates: ALLOWED_UPDATES, clock: this.#clock,
      loadOffset: async () => (await store.kvGet(ns, key)) as number | undefined,
      saveOffset: (offset) => store.kvSet(ns, key, offset),
      onUpdates: async (updates) => {
        for (const u of updates) await this.inbox.accept(u);
      },
    });
  }

  /** Leadership of "telegram-poller" changed: start a fresh poller (the offset is in the shared store) or stop ours. */
  #lead(leader: boolean): Promise<void> {
    this.#leading = this.#leading.then(async () => {
      if (leader && !this.#poller && !this.#stopping) {
        this.#releasePolling = claimPolling(this.#tokenId());
        this.#log.info("this node is the Telegram poller now");
        await (this.#poller = this.#newPoller()).start();
      } else if (!leader && this.#poller) {
        const p = this.#poller;
        this.#poller = null;
        this.#log.info("this node stops polling Telegram (another node leads)");
        await p.stop();
        this.#releasePolling?.();
        this.#releasePolling = null;
      }
    }).catch((err: unknown) => this.#log.warn("telegram poller hand-over failed", { error: errorMessage(err) }));
    return this.#leading;
  }

  #fail(lastError: string): void {
    this.#state = "failed";
    this.#lastError = lastError;
    this.#releasePolling?.();
    this.#releasePolling = null;
  }

  /** Works in every state; mid-connect it aborts the request in flight. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#abort?.abort();
    await this.#connecting;
    if (this.#sweep) clearInterval(this.#sweep);
    this.#sweep = null;
    if (this.#takeover) clearInterval(this.#takeover);
    this.#takeover = null;
    await this.#stopLeading?.();
    this.#stopLeading = null;
    await this.#leading;
    await this.#poller?.stop();
    this.#poller = null;
    this.#releasePolling?.();
    this.#releasePolling = null;
    this.#inited.resolve(); // updates waiting for the connection stay pending (handled after a restart)
    await this.inbox.stop(this.#o.shutdownGraceMs ?? 10_000);
    this.#connecting = null;
    this.#state = "stopped";
  }

  #currentState(): ChannelState {
    const p = this.#poller;
    if (this.#state !== "running" || !p) return this.#state;
    if (p.state === "conflict" || p.state === "unauthorized") return "failed";
    return p.state === "retrying" ? "retrying" : "running";
  }

  status(): ChannelStatus {
    const p = this.#poller;
    const mode = this.#s.webhook ? "webhook" : "polling";
    const lastError = p?.lastError ?? this.#lastError;
    const state = this.#currentState();
    return {
      id: this.id,
      enabled: true,
      running: state === "running",
      state,
      mode,
      ...(this.bot.isInited() ? { account: `@${this.bot.botInfo.username}`, botUsername: this.bot.botInfo.username } : {}),
      ...(this.#lastUpdateAt !== undefined ? { lastUpdateAt: new Date(this.#lastUpdateAt).toISOString() } : {}),
      allowFrom: this.#s.access.allowFrom.map((e) => normalizeId(e) ?? String(e).trim()),
      ...(lastError ? { lastError } : {}),
      details: {
        poller: p?.state ?? null, pollRestarts: p?.restarts ?? 0, inFlight: this.inbox.pending, ...this.inbox.stats,
        rejected: this.stats.rejected, pairingCodes: this.stats.pairingCodes, rateLimited: this.sender.rateLimited,
      },
    };
  }

  routes(): ChannelRoute[] {
    const wh = this.#s.webhook;
    if (!wh) return [];
    return [webhookRoute({
      path: wh.path, secret: wh.secret, maxBodyBytes: this.#o.maxWebhookBodyBytes ?? 1_048_576, log: this.#log, accept: (u) => this.inbox.accept(u),
      ...(this.#o.webhookLimits ? { limits: this.#o.webhookLimits } : {}),
    })];
  }
}
