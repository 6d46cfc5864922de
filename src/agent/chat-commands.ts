/**
 * The seam for chat commands answered without a model call (the plugin host's `/name args`
 * commands: plugins/commands.ts, wired in src/app/). Admission asks the handler about every
 * message before any hook or store write; `undefined` means "not a command of mine" and the message
 * goes on as usual. An answer becomes a run that finishes at once with outcome "ok" and the answer
 * as its text: Telegram and `chat.send` deliver it like any reply. Nothing is stored and no hook
 * runs for it. The handler must not throw (a failing command is an answer saying so).
 */
import { emptyUsage } from "../core/messages.ts";
import { settledHandle } from "./handles.ts";
import type { AgentEvent, AgentResponse, RunHandle } from "./types.ts";

export interface ChatCommandContext {
  sessionKey: string;
  agentId: string;
  channel: string;
  peer?: string;
}

export type ChatCommandHandler = (text: string, ctx: ChatCommandContext) => Promise<{ text: string } | undefined>;

/** run_started, one text_delta, final "ok": the answer as a finished run. */
export function answeredHandle(runId: string, sessionKey: string, text: string, broadcast: (e: AgentEvent) => void): RunHandle {
  const response: AgentResponse = { runId, sessionKey, text, outcome: "ok", cause: "completed", usage: emptyUsage(), durationMs: 0 };
  return settledHandle(response, [{ type: "text_delta", runId, sessionKey, text }], broadcast);
}
