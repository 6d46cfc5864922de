/**
 * The update handlers, composed as grammY Composers per feature:
 *   gate (access + pairing, before anything costs tokens) → commands → media/text → agent turn.
 * A handler reports "keep" (leave the update pending) through `results`, keyed by the update.
 */
import { Composer, type Bot } from "grammy";
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { ChannelContext } from "../channel.ts";
import { checkAccess } from "./access.ts";
import { commandsComposer } from "./commands.ts";
import type { TgContext } from "./turn-state.ts";
import type { HandleResult } from "./delivery.ts";
import { readMedia, unsupportedText } from "./media.ts";
import { compilePatterns, isAddressed, stripBotMention } from "./mention.ts";
import { isPaired, requestPairing } from "../../pairing/requests.ts";
import type { TelegramSender } from "./send.ts";
import { isGroupChat, telegramSessionKey } from "./sessions.ts";
import { modelLabel, type TelegramSettings } from "./settings.ts";
import type { ChatThrottle } from "./stream.ts";
import { runTurn, type TurnDeps } from "./turn.ts";

export const PAIRING_TEXT = {
  code: (code: string) =>
    `I only talk to people my owner has approved.\n\nYour pairing code: ${code}\n\nAsk the owner to run: openclaw pairing approve telegram ${code}\n(The code is valid for 1 hour.)`,
  limited: "I can't take more access requests right now. Please try again later.",
};

export interface HandlerDeps {
  ctx: ChannelContext;
  settings: TelegramSettings;
  sender: TelegramSender;
  throttle: ChatThrottle;
  log: Logger;
  results: WeakMap<object, { result: HandleResult }>;
  userAborted: Set<string>;
  stopping: () => boolean;
  stats: { rejected: number; pairingCodes: number };
  mediaTimeoutMs: number;
}

export function composeHandlers(bot: Bot<TgContext>, d: HandlerDeps): void {
  const s = d.settings;
  const patterns = compilePatterns(s.mentionPatterns, (p, err) => d.log.warn("ignoring an invalid channels.telegram.mentionPatterns entry; fix or remove it", { pattern: p, error: errorMessage(err) }));
  const turnDeps: TurnDeps = {
    runtime: d.ctx.runtime, store: d.ctx.store, sender: d.sender, throttle: d.throttle, mode: s.mode,
    chunkLimit: s.chunkLimit, log: d.log, agentId: s.agentId, stopping: d.stopping, userAborted: d.userAborted,
  };
  bot.catch((err) => d.log.error("telegram handler failed", { err: errorMessage(err.error) }));

  const gate = new Composer<TgContext>();
  gate.use(async (ctx, next) => {
    const msg = ctx.message;
    if (!msg || !msg.from || msg.from.is_bot) return;
    const group = isGroupChat(msg.chat.type);
    const me = { id: ctx.me.id, username: ctx.me.username };
    const peer = String(msg.from.id);
    const paired = !group && s.access.dmPolicy === "pairing" ? await isPaired(d.ctx.store, "telegram", peer) : false;
    const decision = checkAccess(s.access, { chatType: msg.chat.type, chatId: msg.chat.id, senderId: msg.from.id, addressed: !group || isAddressed(msg, me, patterns), paired });
    const threadId = group && msg.is_topic_message ? msg.message_thread_id : undefined;
    const target = { chatId: msg.chat.id, ...(threadId !== undefined ? { threadId } : {}) };
    if (!decision.allow) {
      d.stats.rejected++;
      d.log.debug("telegram update rejected", { chatId: msg.chat.id, reason: decision.reason });
      if (decision.action === "pair") await pair(d, target, peer, msg.from);
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
    const box = d.results.get(ctx.update);
    if (box) box.result = ctx.oc.result;
  });

  const commands = commandsComposer({
    runtime: d.ctx.runtime, store: d.ctx.store, sender: d.sender, userAborted: d.userAborted,
    model: () => modelLabel(d.ctx.config, s.agentId),
  });

  const messages = new Composer<TgContext>();
  messages.on("message", async (ctx) => {
    const msg = ctx.message;
    let text = ctx.oc.text;
    let images;
    try {
      const media = await readMedia({ api: bot.api, token: s.token, apiRoot: s.apiRoot, maxBytes: s.mediaMaxBytes, timeoutMs: d.mediaTimeoutMs }, msg);
      if (media.kind === "unsupported" || media.kind === "too_large") {
        await d.sender.sendPlain(ctx.oc.target, unsupportedText(media)).catch(() => undefined);
        return;
      }
      if (media.kind === "image") {
        images = [media.image];
        text = media.caption || "(photo)";
      } else if (media.kind === "text") text = media.text;
    } catch (err) {
      d.log.warn("telegram media download failed", { err: errorMessage(err) });
      await d.sender.sendPlain(ctx.oc.target, "Sorry, I couldn't download that file. Please try again.").catch(() => undefined);
      return;
    }
    if (!text.trim() && !images) return; // service messages and the like
    const origin = { channel: "telegram", chatId: msg.chat.id, messageId: msg.message_id, updateId: ctx.oc.updateId, ...(ctx.oc.target.threadId !== undefined ? { threadId: ctx.oc.target.threadId } : {}) };
    ctx.oc.result = await runTurn(turnDeps, {
      updateId: ctx.oc.updateId, sessionKey: ctx.oc.sessionKey, target: ctx.oc.target, text, peer: ctx.oc.peer, origin,
      ...(images ? { images } : {}),
    });
  });

  bot.use(gate, commands, messages);
}

async function pair(d: HandlerDeps, target: { chatId: number }, peer: string, from: { username?: string; first_name: string }): Promise<void> {
  const r = await requestPairing(d.ctx.store, "telegram", peer, { username: from.username ?? null, name: from.first_name, chatId: target.chatId });
  if (r.status === "created" || r.status === "existing") {
    if (r.status === "created") d.stats.pairingCodes++;
    d.log.info("telegram pairing requested", { peer, code: r.code });
    await d.sender.sendPlain(target, PAIRING_TEXT.code(r.code)).catch(() => undefined);
  } else if (r.status === "limited") {
    await d.sender.sendPlain(target, PAIRING_TEXT.limited).catch(() => undefined);
  }
}
