/**
 * One inbound message → one agent run → one reply. The run carries the idempotency key
 * `telegram:<update_id>`, so handling the same update again after a restart finds the same run:
 *   finished ok             → resume the reply from the stored delivery progress (no re-run, no duplicate chunk)
 *   aborted / interrupted   → tell the user once that a restart cut it off, please resend
 * A run aborted because this process is shutting down leaves its update pending ("keep"), so the
 * next start reports it. Provider failures give a short, friendly line; the detail goes to the log.
 */
import type { AgentRuntime } from "../../agent/runtime.ts";
import type { AgentResponse } from "../../agent/types.ts";
import { errorMessage, UnavailableError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { ImageBlock } from "../../core/messages.ts";
import type { SessionStore } from "../../store/types.ts";
import { loadProgress, saveProgress, type HandleResult } from "./delivery.ts";
import type { SendTarget, TelegramSender } from "./send.ts";
import { ReplyPresenter, type ChatThrottle, type StreamMode } from "./stream.ts";

export const TEXT = {
  interrupted: "Your last message was interrupted by a restart. Please send it again.",
  providerFailed: "Sorry, I couldn't get an answer from the model just now. Please try again in a moment.",
  stopped: "(stopped)",
  startFailed: "Sorry, I couldn't take that message right now. Please try again in a moment.",
  limit: (reason?: string) => `I stopped before finishing${reason ? ` (${reason})` : ""}.`,
};

export interface TurnDeps {
  runtime: AgentRuntime;
  store: SessionStore;
  sender: TelegramSender;
  throttle: ChatThrottle;
  mode: StreamMode;
  chunkLimit: number;
  log: Logger;
  agentId: string;
  /** true once the channel is stopping: aborted runs are then left for the next start */
  stopping: () => boolean;
  /** sessions whose run the user stopped with /stop or /new */
  userAborted: Set<string>;
}

export interface TurnInput {
  updateId: number;
  sessionKey: string;
  target: SendTarget;
  text: string;
  images?: ImageBlock[];
  peer: string;
  origin: Record<string, unknown>;
}

export async function runTurn(d: TurnDeps, t: TurnInput): Promise<HandleResult> {
  const progress = await loadProgress(d.store, t.updateId);
  const presenter = new ReplyPresenter({
    sender: d.sender, throttle: d.throttle, target: t.target, mode: d.mode, chunkLimit: d.chunkLimit, log: d.log,
    progress, save: (p) => saveProgress(d.store, t.updateId, p),
  });
  let handle;
  try {
    handle = await d.runtime.start({
      sessionKey: t.sessionKey, agentId: d.agentId, text: t.text, images: t.images, idempotencyKey: `telegram:${t.updateId}`,
      channel: "telegram", peer: t.peer, origin: t.origin,
    });
  } catch (err) {
    d.log.error("telegram: could not start a run", { updateId: t.updateId, err: errorMessage(err) });
    if (d.stopping() || err instanceof UnavailableError) return "keep";
    await presenter.notice(TEXT.startFailed);
    return "done";
  }
  if (!handle.deduplicated) presenter.startTyping();
  try {
    for await (const ev of handle.events) {
      if (ev.type === "text_delta") presenter.text(ev.text);
      else if (ev.type === "tool_call") presenter.tool(ev.name, "call");
      else if (ev.type === "tool_result" && ev.isError) presenter.tool(ev.name, "error");
    }
  } catch (err) {
    d.log.warn("telegram: run event stream failed", { runId: handle.runId, err: errorMessage(err) });
  }
  const res = await handle.done;
  return finish(d, presenter, res, handle.deduplicated);
}

async function finish(d: TurnDeps, presenter: ReplyPresenter, res: AgentResponse, recovered: boolean): Promise<HandleResult> {
  const progress = presenter.progress;
  switch (res.outcome) {
    case "ok":
      await presenter.finish(res.text);
      return "done";
    case "aborted":
    case "interrupted": {
      const byUser = !recovered && d.userAborted.delete(res.sessionKey);
      if (byUser) {
        await presenter.close(); // /stop or /new: the command itself answers
        return "done";
      }
      if (!recovered && (d.stopping() || res.cause === "shutdown")) {
        await presenter.close();
        return "keep"; // the next start tells the user
      }
      if (recovered || res.outcome === "interrupted") {
        if (!progress.notified) {
          await presenter.notice(TEXT.interrupted);
          progress.notified = true;
        }
        return "done";
      }
      await presenter.notice(TEXT.stopped);
      return "done";
    }
    case "error":
      d.log.error("telegram: run failed", { runId: res.runId, sessionKey: res.sessionKey, reason: res.reason ?? "unknown" });
      await presenter.notice(TEXT.providerFailed);
      return "done";
    case "limit":
      d.log.warn("telegram: run hit a limit", { runId: res.runId, reason: res.reason ?? "" });
      if (res.text.trim()) await presenter.finish(res.text);
      await presenter.notice(TEXT.limit(res.reason));
      return "done";
  }
}
