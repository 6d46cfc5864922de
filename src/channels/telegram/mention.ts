/**
 * Is a group message addressed to the bot? A native `@botname` mention (or a text_mention of the
 * bot), a `/command@botname`, a reply to one of the bot's messages, or a configured mention pattern
 * (case-insensitive regular expressions; an invalid pattern is skipped, and reported once at start).
 */
import type { Message } from "grammy/types";

export interface BotIdentity {
  id: number;
  username: string;
}

export function compilePatterns(patterns: string[], onInvalid?: (pattern: string, err: unknown) => void): RegExp[] {
  const out: RegExp[] = [];
  for (const p of patterns) {
    try {
      out.push(new RegExp(p, "i"));
    } catch (err) {
      onInvalid?.(p, err);
    }
  }
  return out;
}

export function isAddressed(msg: Message, bot: BotIdentity, patterns: RegExp[]): boolean {
  if (msg.reply_to_message?.from?.id === bot.id) return true;
  const text = msg.text ?? msg.caption ?? "";
  const entities = msg.entities ?? msg.caption_entities ?? [];
  const handle = `@${bot.username}`.toLowerCase();
  for (const e of entities) {
    const part = text.slice(e.offset, e.offset + e.length).toLowerCase();
    if (e.type === "mention" && part === handle) return true;
    if (e.type === "text_mention" && e.user?.id === bot.id) return true;
    if (e.type === "bot_command" && part.endsWith(handle)) return true;
  }
  return patterns.some((re) => re.test(text));
}

/** Remove a leading `@botname` so the model sees what was said to it. */
export function stripBotMention(text: string, bot: BotIdentity): string {
  const re = new RegExp(`^\\s*@${bot.username}\\b[\\s,:]*`, "i");
  return text.replace(re, "");
}
