/**
 * Chat commands, registered with setMyCommands at start. They run after the access gate, so an
 * unknown sender can never reset or stop the owner's session. /stop and /new are "urgent": the inbox
 * runs them outside the chat's queue so they reach a turn that is still running.
 */
import { Composer } from "grammy";
import type { BotCommand, Update } from "grammy/types";
import type { AgentRuntime } from "../../agent/runtime.ts";
import { addUsage, emptyUsage } from "../../core/messages.ts";
import type { SessionStore } from "../../store/types.ts";
import type { TgContext } from "./turn-state.ts";
import type { TelegramSender } from "./send.ts";

export const COMMANDS: BotCommand[] = [
  { command: "start", description: "Say hello" },
  { command: "new", description: "Start a fresh session" },
  { command: "stop", description: "Stop the current reply" },
  { command: "status", description: "Model, session and usage" },
  { command: "help", description: "What I can do" },
];

const HELP = [
  "Send me a message and I'll answer. Photos and text files work too.",
  "",
  "/new — start a fresh session (forget this conversation)",
  "/stop — stop the reply in progress",
  "/status — model, session and token usage",
  "/help — this list",
].join("\n");

export function commandOf(text: string | undefined): string | null {
  const m = /^\/([a-z0-9_]+)(@\w+)?(\s|$)/i.exec(text ?? "");
  return m ? m[1]!.toLowerCase() : null;
}

export function isUrgent(update: Update): boolean {
  const c = commandOf(update.message?.text);
  return c === "stop" || c === "new" || c === "reset";
}

export interface CommandDeps {
  runtime: AgentRuntime;
  store: SessionStore;
  sender: TelegramSender;
  model: () => string;
  /** sessions whose runs the user stopped on purpose (so the turn stays quiet) */
  userAborted: Set<string>;
}

async function sessionUsage(store: SessionStore, sessionKey: string) {
  const events = await store.readLatest(sessionKey, 2000);
  let usage = emptyUsage();
  let turns = 0;
  for (const e of events) {
    if (e.data.type === "session_reset") {
      usage = emptyUsage();
      turns = 0;
    } else if (e.data.type === "run_finished") {
      turns++;
      if (e.data.usage) usage = addUsage(usage, e.data.usage);
    }
  }
  return { usage, turns };
}

export function commandsComposer(d: CommandDeps): Composer<TgContext> {
  const c = new Composer<TgContext>();
  const reply = (ctx: TgContext, text: string) => d.sender.sendPlain(ctx.oc.target, text).catch(() => undefined);
  c.command("start", (ctx) => reply(ctx, `Hi! I'm your OpenClaw agent.\n\n${HELP}`));
  c.command("help", (ctx) => reply(ctx, HELP));
  c.command("stop", async (ctx) => {
    d.userAborted.add(ctx.oc.sessionKey);
    const stopped = d.runtime.abort({ sessionKey: ctx.oc.sessionKey });
    if (!stopped) d.userAborted.delete(ctx.oc.sessionKey);
    await reply(ctx, stopped ? "Stopped." : "Nothing to stop.");
  });
  c.command(["new", "reset"], async (ctx) => {
    d.userAborted.add(ctx.oc.sessionKey);
    if (!d.runtime.abort({ sessionKey: ctx.oc.sessionKey })) d.userAborted.delete(ctx.oc.sessionKey);
    await d.runtime.resetSession(ctx.oc.sessionKey);
    await reply(ctx, "Started a new session.");
  });
  c.command("status", async (ctx) => {
    const key = ctx.oc.sessionKey;
    const { usage, turns } = await sessionUsage(d.store, key);
    const running = d.runtime.runs().filter((r) => r.sessionKey === key);
    await reply(ctx, [
      `Model: ${d.model()}`,
      `Session: ${key}`,
      `Turns: ${turns}`,
      `Tokens: ${usage.inputTokens} in / ${usage.outputTokens} out (cache ${usage.cacheReadTokens} read)`,
      `Running: ${running.length ? running.map((r) => r.state).join(", ") : "no"}`,
    ].join("\n"));
  });
  return c;
}
