/**
 * The Telegram channel: a grammY `Bot` (its `apiRoot` configurable) fed by the durable inbox, from
 * long polling (default) or the webhook route. Handlers compose as Composers per feature:
 *   gate (access + pairing, before anything costs tokens) → commands → media/text → agent turn.
 */
import { Bot, Composer } from "grammy";
import type { Update } from "grammy/types";
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { Channel, ChannelContext, ChannelRoute, ChannelStatus } from "../channel.ts";
import { checkAccess } from "./access.ts";
import { COMMANDS, commandsComposer, isUrgent } from "./commands.ts";
import type { TgContext } from "./context.ts";
import { Inbox, orderingKey, type HandleResult } from "./delivery.ts";
import { readMedia, unsupportedText } from "./media.ts";
import { compilePatterns, isAddressed, stripBotMention } from "./mention.ts";
import { isPaired, requestPairing } from "../../pairing/requests.ts";
import { Poller } from "./poller.ts";
import { TelegramSender } from "./send.ts";
import { isGroupChat, telegramSessionKey } from "./sessions.ts";
import { modelLabel, type TelegramSettings } from "./settings.ts";
import { ChatThrottle } from "./stream.ts";
import { runTurn, type TurnDeps } from "./turn.ts";
import { webhookRoute } from "./webhook.ts";

const ALLOWED_UPDATES = ["message"];

export interface TelegramChannelOptions {
  /** how long stop() waits for replies in flight (default 10 s) */
  shutdownGraceMs?: number;
  /** sleep used between retries (tests shorten it) */
  sleep?: (ms: number) => Promise<void>;
  maxWebhookBodyBytes?: number;
}

export const PAIRING_TEXT = {
  code: (code: string) =>
    `I only talk to people my owner has approved.\n\nYour pairing code: ${code}\n\nAsk the owner to run: openclaw pairing approve telegram ${code}\n(The code is valid for 1 hour.)`,
  limited: "I can't take more access requests right now. Please try again later.",
};

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
  #poller: Poller | null = null;
  #running = false;
  #stopping = false;
  #lastError: string | undefined;
  #sweep: ReturnType<typeof setInterval> | null = null;
  stats = { rejected: 0, pairingCodes: 0 };

  constructor(ctx: ChannelContext, settings: TelegramSettings, opts: TelegramChannelOptions = {}) {
    this.#ctx = ctx;
    this.#s = settings;
    this.#o = opts;
    this.#log = ctx.log.child("telegram");
    // The runtime's own fetch: grammY's Node default (node-fetch over node:http with a keep-alive
    // agent) serialised calls under load on Bun (measured: ~20 replies/s vs hundreds). We send JSON
    // only (no file uploads), which the built-in fetch handles as is.
    const client = { apiRoot: settings.apiRoot, timeoutSeconds: settings.pollTimeoutSeconds + 30, fetch: globalThis.fetch as never, baseFetchConfig: {} };
    this.bot = new Bot<TgContext>(settings.token.reveal(), { client });
    this.sender = new TelegramSender(this.bot.api, { log: this.#log, ...(opts.sleep ? { sleep: opts.sleep } : {}) });
    this.#throttle = new ChatThrottle(settings.editThrottleMs);
    this.inbox = new Inbox({
      store: ctx.store,
      log: this.#log,
      urgent: isUrgent,
      keyOf: orderingKey,
      handle: (u) => this.handleUpdate(u),
    });
    this.#compose();
  }

  /** Run one update through the handlers (the inbox calls this; tests may too). */
  async handleUpdate(update: Update): Promise<HandleResult> {
    const box = { result: "done" as HandleResult };
    this.#results.set(update, box);
    await this.bot.handleUpdate(update);
    return box.result;
  }

  #compose(): void {
    const s = this.#s;
    const patterns = compilePatterns(s.mentionPatterns, (p) => this.#log.warn("ignoring an invalid mentionPatterns entry", { pattern: p }));
    const turnDeps: TurnDeps = {
      runtime: this.#ctx.runtime, store: this.#ctx.store, sender: this.sender, throttle: this.#throttle, mode: s.mode,
      chunkLimit: s.chunkLimit, log: this.#log, agentId: s.agentId, stopping: () => this.#stopping, userAborted: this.#userAborted,
    };
    this.bot.catch((err) => this.#log.error("telegram handler failed", { err: errorMessage(err.error) }));

    const gate = new Composer<TgContext>();
    gate.use(async (ctx, next) => {
      const msg = ctx.message;
      if (!msg || !msg.from || msg.from.is_bot) return;
      const group = isGroupChat(msg.chat.type);
      const me = { id: ctx.me.id, username: ctx.me.username };
      const peer = String(msg.from.id);
      const paired = !group && s.access.dmPolicy === "pairing" ? await isPaired(this.#ctx.store, "telegram", peer) : false;
      const decision = checkAccess(s.access, { chatType: msg.chat.type, chatId: msg.chat.id, senderId: msg.from.id, addressed: !group || isAddressed(msg, me, patterns), paired });
      const threadId = group && msg.is_topic_message ? msg.message_thread_id : undefined;
      const target = { chatId: msg.chat.id, ...(threadId !== undefined ? { threadId } : {}) };
      if (!decision.allow) {
        this.stats.rejected++;
        this.#log.debug("telegram update rejected", { chatId: msg.chat.id, reason: decision.reason });
        if (decision.action === "pair") await this.#pair(target, peer, msg.from);
        return;
      }
      const raw = msg.text ?? msg.caption ?? "";
      ctx.oc = {
        updateId: ctx.update.update_id,
        sessionKey: telegramSessionKey({ agentId: s.agentId, mainKey: s.mainKey, dmScope: s.dmScope, chatType: msg.chat.type, chatId: msg.chat.id, userId: msg.from.id, ...(threadId !== undefined ? { threadId } : {}) }),
        target,
        peer,
        text: group ? stripBotMention(raw, me) : raw,
        result: "done",
      };
      await next();
      const box = this.#results.get(ctx.update);
      if (box) box.result = ctx.oc.result;
    });

    const commands = commandsComposer({
      runtime: this.#ctx.runtime, store: this.#ctx.store, sender: this.sender, userAborted: this.#userAborted,
      model: () => modelLabel(this.#ctx.config, s.agentId),
    });

    const messages = new Composer<TgContext>();
    messages.on("message", async (ctx) => {
      const msg = ctx.message;
      let text = ctx.oc.text;
      let images;
      try {
        const media = await readMedia({ api: this.bot.api, token: s.token, apiRoot: s.apiRoot, maxBytes: s.mediaMaxBytes }, msg);
        if (media.kind === "unsupported" || media.kind === "too_large") {
          await this.sender.sendPlain(ctx.oc.target, unsupportedText(media)).catch(() => undefined);
          return;
        }
        if (media.kind === "image") {
          images = [media.image];
          text = media.caption || "(photo)";
        } else if (media.kind === "text") text = media.text;
      } catch (err) {
        this.#log.warn("telegram media download failed", { err: errorMessage(err) });
        await this.sender.sendPlain(ctx.oc.target, "Sorry, I couldn't download that file. Please try again.").catch(() => undefined);
        return;
      }
      if (!text.trim() && !images) return; // service messages and the like
      const origin = { channel: "telegram", chatId: msg.chat.id, messageId: msg.message_id, updateId: ctx.oc.updateId, ...(ctx.oc.target.threadId !== undefined ? { threadId: ctx.oc.target.threadId } : {}) };
      ctx.oc.result = await runTurn(turnDeps, {
        updateId: ctx.oc.updateId, sessionKey: ctx.oc.sessionKey, target: ctx.oc.target, text, peer: ctx.oc.peer, origin,
        ...(images ? { images } : {}),
      });
    });

    this.bot.use(gate, commands, messages);
  }

  async #pair(target: { chatId: number }, peer: string, from: { username?: string; first_name: string }): Promise<void> {
    const r = await requestPairing(this.#ctx.store, "telegram", peer, { username: from.username ?? null, name: from.first_name, chatId: target.chatId });
    if (r.status === "created" || r.status === "existing") {
      if (r.status === "created") this.stats.pairingCodes++;
      this.#log.info("telegram pairing requested", { peer, code: r.code });
      await this.sender.sendPlain(target, PAIRING_TEXT.code(r.code)).catch(() => undefined);
    } else if (r.status === "limited") {
      await this.sender.sendPlain(target, PAIRING_TEXT.limited).catch(() => undefined);
    }
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#stopping = false;
    await this.sender.call("getMe", () => this.bot.init());
    this.sender.call("setMyCommands", () => this.bot.api.setMyCommands(COMMANDS)).catch((err) => this.#log.warn("telegram setMyCommands failed", { err }));
    await this.inbox.recover();
    const s = this.#s;
    if (s.webhook) {
      const wh = s.webhook;
      await this.sender.call("setWebhook", () => this.bot.api.setWebhook(wh.url, { secret_token: wh.secret.reveal(), allowed_updates: ALLOWED_UPDATES as never }));
    } else {
      await this.sender.call("deleteWebhook", () => this.bot.api.deleteWebhook()).catch((err) => this.#log.warn("telegram deleteWebhook failed", { err }));
      const store = this.#ctx.store;
      const ns = "telegram.poll";
      const key = String(this.bot.botInfo.id);
      this.#poller = new Poller({
        api: this.bot.api, tokenId: key, log: this.#log, timeoutSeconds: s.pollTimeoutSeconds, watchdogMs: s.watchdogMs, allowedUpdates: ALLOWED_UPDATES,
        loadOffset: async () => (await store.kvGet(ns, key)) as number | undefined,
        saveOffset: (offset) => store.kvSet(ns, key, offset),
        onUpdates: async (updates) => {
          for (const u of updates) await this.inbox.accept(u);
        },
      });
      this.#poller.start();
    }
    this.#sweep = setInterval(() => this.#throttle.sweep(), 60_000);
    this.#running = true;
    this.#log.info("telegram channel started", { bot: `@${this.bot.botInfo.username}`, mode: s.webhook ? "webhook" : "polling" });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#sweep) clearInterval(this.#sweep);
    await this.#poller?.stop();
    await this.inbox.stop(this.#o.shutdownGraceMs ?? 10_000);
    this.#running = false;
  }

  status(): ChannelStatus {
    const p = this.#poller;
    const mode = this.#s.webhook ? "webhook" : "polling";
    const lastError = p?.lastError ?? this.#lastError;
    return {
      id: this.id,
      enabled: true,
      running: this.#running && (!p || p.state === "running"),
      state: this.#running ? (!p || p.state === "running" ? "running" : "retrying") : this.#stopping ? "stopped" : "starting",
      mode,
      ...(this.bot.isInited() ? { account: `@${this.bot.botInfo.username}` } : {}),
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
    return [webhookRoute({ path: wh.path, secret: wh.secret, maxBodyBytes: this.#o.maxWebhookBodyBytes ?? 1_048_576, log: this.#log, accept: (u) => this.inbox.accept(u) })];
  }
}
