/**
 * How one reply appears in a chat while the agent works.
 *   partial   the answer streams into one message, edited as text arrives
 *   progress  one status message lists tool activity; the answer follows as new message(s)
 *   off/block the answer is sent once, at the end ("block" is treated as "off" for now)
 * Edits and previews in a chat are spaced at least `throttleMs` apart (measured from the moment
 * Telegram answered the previous one); a 429 is waited out by the auto-retry transformer (api.ts),
 * and one it gives up on (retry_after too long) pushes the next preview out by its retry_after;
 * previews are best effort (skipped, never queued up), the final text is not.
 * The final text is chunked; progress (`previewId`, `chunksSent`) is reported through `save` so a
 * restart can resume delivery without sending a chunk twice.
 */
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { chunkText } from "./chunk.ts";
import { realClock, type Clock } from "./clock.ts";
import { TelegramApiError, type SendTarget, type TelegramSender } from "./send.ts";

export type StreamMode = "off" | "partial" | "block" | "progress";

/** Per-chat spacing of edits, shared by every reply in the channel. Time comes from `clock` (tests fake it). */
export class ChatThrottle {
  readonly #next = new Map<number, number>();
  constructor(readonly intervalMs: number, readonly clock: Clock = realClock) {}
  delayFor(chatId: number, now = this.clock.now()): number {
    return Math.max(0, (this.#next.get(chatId) ?? 0) - now);
  }
  /** Wait until this chat may be edited again (a later mark or penalty extends the wait). */
  async wait(chatId: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const d = this.delayFor(chatId);
      if (d <= 0) return;
      await this.clock.sleep(d);
    }
  }
  /** An edit just completed. */
  mark(chatId: number, now = this.clock.now()): void {
    this.#next.set(chatId, Math.max(this.#next.get(chatId) ?? 0, now + this.intervalMs));
  }
  /** Telegram said 429 and auto-retry gave up (retry_after too long): nothing before retry_after. */
  penalize(chatId: number, ms: number, now = this.clock.now()): void {
    this.#next.set(chatId, Math.max(this.#next.get(chatId) ?? 0, now + ms));
  }
  /** Drop chats idle for a while (bounded memory with many chats). */
  sweep(now = this.clock.now()): void {
    for (const [k, v] of this.#next) if (v < now - 60_000) this.#next.delete(k);
  }
}

export interface DeliveryProgress {
  previewId?: number;
  chunksSent: number;
  /** the interrupted-by-restart notice went out */
  notified?: boolean;
}

export interface PresenterOptions {
  sender: TelegramSender;
  throttle: ChatThrottle;
  target: SendTarget;
  mode: StreamMode;
  chunkLimit: number;
  log: Logger;
  progress: DeliveryProgress;
  save: (p: DeliveryProgress) => Promise<void>;
  typingIntervalMs?: number;
}

export type FinishResult = "delivered" | "undeliverable";

export class ReplyPresenter {
  readonly #o: PresenterOptions;
  #text = "";
  #status: string[] = [];
  #shown = "";
  #loop: Promise<void> | null = null;
  #closed = false;
  #dead = false;
  #typing: ReturnType<typeof setInterval> | null = null;

  constructor(opts: PresenterOptions) {
    this.#o = opts;
  }

  get progress(): DeliveryProgress {
    return this.#o.progress;
  }

  startTyping(): void {
    if (this.#typing || this.#dead) return;
    const tick = () => {
      if (this.#dead || this.#closed) return;
      const { chatId, threadId } = this.#o.target;
      this.#o.sender
        .call("sendChatAction", () => this.#o.sender.api.sendChatAction(chatId, "typing", threadId !== undefined ? { message_thread_id: threadId } : {}), 0)
        .catch((err) => this.#failed(err, "typing"));
    };
    tick();
    this.#typing = setInterval(tick, this.#o.typingIntervalMs ?? 4000);
  }

  #stopTyping(): void {
    if (this.#typing) clearInterval(this.#typing);
    this.#typing = null;
  }

  text(delta: string): void {
    this.#text += delta;
    if (this.#o.mode === "partial") this.#kick();
  }

  tool(name: string, phase: "call" | "error"): void {
    if (this.#o.mode !== "progress") return;
    const line = phase === "call" ? `🔧 ${name}…` : `⚠️ ${name} failed`;
    this.#status.push(line);
    this.#kick();
  }

  #preview(): string {
    const limit = this.#o.chunkLimit;
    const body = this.#o.mode === "progress" ? ["Working…", ...this.#status.slice(-20)].join("\n") : this.#text.trim();
    return body.length > limit ? `${body.slice(0, limit - 1)}…` : body;
  }

  #kick(): void {
    if (this.#loop || this.#closed || this.#dead) return;
    this.#loop = this.#run().finally(() => {
      this.#loop = null;
    });
  }

  async #run(): Promise<void> {
    const { throttle, target, sender } = this.#o;
    for (let i = 0; i < 10_000 && !this.#closed && !this.#dead; i++) {
      await throttle.wait(target.chatId);
      if (this.#closed || this.#dead) return;
      const body = this.#preview();
      if (!body || body === this.#shown) return;
      try {
        const id = this.#o.progress.previewId;
        if (id === undefined) {
          this.#o.progress.previewId = await sender.sendPlain(target, body);
          await this.#o.save(this.#o.progress);
          if (this.#o.mode === "partial") this.#stopTyping();
        } else {
          await sender.editPlain(target.chatId, id, body, 0);
        }
        this.#shown = body;
        throttle.mark(target.chatId);
      } catch (err) {
        this.#failed(err, "preview");
        throttle.mark(target.chatId);
      }
    }
  }

  #failed(err: unknown, what: string): void {
    if (!(err instanceof TelegramApiError)) {
      this.#o.log.warn(`telegram ${what} failed`, { err: errorMessage(err) });
      return;
    }
    const f = err.failure;
    if (f.kind === "rate_limited") this.#o.throttle.penalize(this.#o.target.chatId, f.retryAfterMs ?? 1000);
    else if (f.kind === "blocked" || f.kind === "chat_not_found") {
      if (!this.#dead) this.#o.log.warn("telegram chat unreachable; dropping reply", { chatId: this.#o.target.chatId, kind: f.kind });
      this.#dead = true;
    } else this.#o.log.debug(`telegram ${what} failed`, { kind: f.kind, detail: f.description });
  }

  /** Stop streaming and wait for an in-flight preview to settle (no final delivery). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopTyping();
    await this.#loop;
  }

  /**
   * Deliver the final text: into the preview message (partial mode) and then as further chunks.
   * Resumes from `progress` (a restart may have delivered part of it already). Never throws.
   */
  async finish(finalText: string): Promise<FinishResult> {
    await this.close();
    if (this.#dead) return "undeliverable";
    const { sender, target, throttle, progress } = this.#o;
    const chunks = chunkText(finalText, this.#o.chunkLimit);
    if (chunks.length === 0) return "delivered";
    try {
      let from = progress.chunksSent;
      if (from === 0 && this.#o.mode === "partial" && progress.previewId !== undefined) {
        await throttle.wait(target.chatId);
        await sender.editMarkdown(target.chatId, progress.previewId, chunks[0]!);
        throttle.mark(target.chatId);
        progress.chunksSent = from = 1;
        await this.#o.save(progress);
      }
      await sender.sendChunks(target, chunks, from, async (i) => {
        progress.chunksSent = i + 1;
        await this.#o.save(progress);
      });
      return "delivered";
    } catch (err) {
      this.#failed(err, "reply");
      if (this.#dead) return "undeliverable";
      this.#o.log.error("telegram reply could not be delivered", { chatId: target.chatId, err: errorMessage(err) });
      return "undeliverable";
    }
  }

  /** A short notice (errors, interruptions), sent once. */
  async notice(text: string): Promise<FinishResult> {
    await this.close();
    if (this.#dead) return "undeliverable";
    try {
      await this.#o.sender.sendPlain(this.#o.target, text);
      return "delivered";
    } catch (err) {
      this.#failed(err, "notice");
      return "undeliverable";
    }
  }
}
