/**
 * The channels of a config, one per configured channel (app/assemble.ts builds them; the gateway
 * process starts them). Telegram is enabled when a token is configured (channels.telegram.botToken,
 * tokenFile, or TELEGRAM_BOT_TOKEN merged in by config loading) and `enabled` is not false.
 * A configuration error throws ConfigError (named key + fix).
 */
import type { Channel, ChannelContext } from "./channel.ts";
import { TelegramChannel, type TelegramChannelOptions } from "./telegram/bot.ts";
import { resolveSettings, resolveToken } from "./telegram/settings.ts";

export function createChannels(ctx: ChannelContext, opts: { telegram?: TelegramChannelOptions } = {}): Channel[] {
  const channels: Channel[] = [];
  const tg = ctx.config.channels.telegram;
  if (tg && tg.enabled !== false) {
    const token = resolveToken(tg);
    if (token) channels.push(new TelegramChannel(ctx, resolveSettings(ctx.config, token), opts.telegram));
  }
  return channels;
}
