/**
 * Is a group message addressed to the bot? A native `@botname` mention (or a text_mention of the
 * bot), a `/command@botname`, a reply to one of the bot's messages, or a configured mention pattern.
 * Patterns are case-insensitive regular expressions in RE2 syntax, run by re2js in time linear in
 * the message (any group member writes the text, so a pattern such as `(a+)+$` must not let one
 * message stall the gateway, as a backtracking RegExp would); lookaround and backreferences are
 * refused. An invalid pattern is skipped, and reported once at start.
 */
import type { Message } from "grammy/types";
import { RE2JS } from "re2js";

export interface BotIdentity {
  id: number;
  username: string;
}

export interface MentionPattern {
  /** true when the pattern matches anywhere in `text` */
  test(text: string): boolean;
}

/** Compiles each pattern; `onInvalid` gets the ones RE2 refuses, with an error that says why. */
export function compilePatterns(patterns: string[], onInvalid?: (pattern: string, err: unknown) => void): MentionPattern[] {
  const out: MentionPattern[] = [];
  for (const p of patterns) {
    try {
      const re = RE2JS.compile(p, RE2JS.CASE_INSENSITIVE);
      out.push({ test: (text) => re.test(text) });
    } catch (err) {
      const why = (err as Error).message.replace(/^error parsing regexp: /, "");
      onInvalid?.(p, new Error(`${why} (RE2 syntax: lookahead, lookbehind and backreferences are not supported)`, { cause: err }));
    }
  }
  return out;
}

export function isAddressed(msg: Message, bot: BotIdentity, patterns: readonly MentionPattern[]): boolean {
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
