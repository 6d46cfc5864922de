/**
 * Talking to the Bot API safely. Every call goes through `call()`: a 429 waits `retry_after`
 * (bounded) and retries; a network failure retries with backoff; everything else is classified
 * (`classifyTelegramError`) so callers decide without parsing strings. Sending formatted text tries
 * HTML first and falls back to plain text when Telegram rejects the entities; a chunk Telegram
 * calls too long is split again. 403 (blocked) and 400 (chat not found) end the reply for that chat
 * without crashing anything.
 */
import { GrammyError, HttpError, type Api } from "grammy";
import { errorMessage, OpenClawError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { chunkText } from "./chunk.ts";
import { markdownToTelegramHtml, toPlainText } from "./format.ts";

export type TelegramFailureKind =
  | "rate_limited" | "blocked" | "chat_not_found" | "too_long" | "not_modified" | "bad_entities"
  | "conflict" | "unauthorized" | "network" | "other";

export interface TelegramFailure {
  kind: TelegramFailureKind;
  description: string;
  retryAfterMs?: number;
}

export class TelegramApiError extends OpenClawError {
  static override readonly type: string = "TelegramApiError";
  constructor(readonly failure: TelegramFailure, options?: { cause?: unknown }) {
    super(`Telegram: ${failure.description}`, options);
  }
}

export function classifyTelegramError(err: unknown): TelegramFailure {
  if (err instanceof TelegramApiError) return err.failure;
  if (err instanceof GrammyError) {
    const d = err.description;
    const lower = d.toLowerCase();
    if (err.error_code === 429) return { kind: "rate_limited", description: d, retryAfterMs: (err.parameters.retry_after ?? 1) * 1000 };
    if (err.error_code === 403) return { kind: "blocked", description: d };
    if (err.error_code === 409) return { kind: "conflict", description: d };
    if (err.error_code >= 500) return { kind: "network", description: d };
    if (err.error_code === 401) return { kind: "unauthorized", description: d };
    if (lower.includes("chat not found") || lower.includes("user not found")) return { kind: "chat_not_found", description: d };
    if (lower.includes("message is too long") || lower.includes("text is too long")) return { kind: "too_long", description: d };
    if (lower.includes("message is not modified")) return { kind: "not_modified", description: d };
    if (lower.includes("can't parse entities") || lower.includes("can't find end tag") || lower.includes("unsupported start tag")) return { kind: "bad_entities", description: d };
    return { kind: "other", description: d };
  }
  if (err instanceof HttpError) return { kind: "network", description: err.message };
  return { kind: "other", description: errorMessage(err) };
}

export interface SenderOptions {
  log: Logger;
  /** retries after a 429 or a network failure (default 3) */
  maxRetries?: number;
  /** longest single wait we accept from retry_after (default 60 s); longer means give up */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SendTarget {
  chatId: number;
  threadId?: number;
  replyTo?: number;
}

export class TelegramSender {
  readonly #log: Logger;
  readonly #maxRetries: number;
  readonly #maxWaitMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** 429s seen (for status) */
  rateLimited = 0;

  constructor(readonly api: Api, opts: SenderOptions) {
    this.#log = opts.log;
    this.#maxRetries = opts.maxRetries ?? 3;
    this.#maxWaitMs = opts.maxWaitMs ?? 60_000;
    this.#sleep = opts.sleep ?? ((ms) => Bun.sleep(ms));
  }

  /** Run one Bot API call with bounded retries; throws `TelegramApiError` with the classified failure. */
  async call<T>(label: string, fn: () => Promise<T>, retries = this.#maxRetries): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const f = classifyTelegramError(err);
        if (f.kind === "rate_limited") this.rateLimited++;
        const wait = f.kind === "rate_limited" ? f.retryAfterMs! : f.kind === "network" ? 250 * 2 ** attempt : -1;
        if (wait < 0 || attempt >= retries || wait > this.#maxWaitMs) throw new TelegramApiError(f, { cause: err });
        this.#log.debug("telegram call retry", { call: label, kind: f.kind, waitMs: wait, attempt: attempt + 1 });
        await this.#sleep(wait);
      }
    }
  }

  #extra(t: SendTarget, html: boolean): Record<string, unknown> {
    const extra: Record<string, unknown> = { link_preview_options: { is_disabled: true } };
    if (html) extra.parse_mode = "HTML";
    if (t.threadId !== undefined) extra.message_thread_id = t.threadId;
    if (t.replyTo !== undefined) extra.reply_parameters = { message_id: t.replyTo, allow_sending_without_reply: true };
    return extra;
  }

  /** Send one chunk of Markdown as HTML, or as plain text if Telegram refuses the HTML. Returns the message id. */
  async sendMarkdown(t: SendTarget, markdown: string): Promise<number> {
    try {
      const m = await this.call("sendMessage", () => this.api.sendMessage(t.chatId, markdownToTelegramHtml(markdown), this.#extra(t, true)));
      return m.message_id;
    } catch (err) {
      if (!(err instanceof TelegramApiError) || err.failure.kind !== "bad_entities") throw err;
      this.#log.warn("telegram rejected HTML, sending plain text", { chatId: t.chatId, detail: err.failure.description });
      const m = await this.call("sendMessage", () => this.api.sendMessage(t.chatId, toPlainText(markdown), this.#extra(t, false)));
      return m.message_id;
    }
  }

  async sendPlain(t: SendTarget, text: string): Promise<number> {
    const m = await this.call("sendMessage", () => this.api.sendMessage(t.chatId, text, this.#extra(t, false)));
    return m.message_id;
  }

  /** Edit a message to this Markdown (HTML, plain fallback). "not modified" counts as success. */
  async editMarkdown(chatId: number, messageId: number, markdown: string): Promise<void> {
    try {
      await this.call("editMessageText", () => this.api.editMessageText(chatId, messageId, markdownToTelegramHtml(markdown), { parse_mode: "HTML", link_preview_options: { is_disabled: true } }));
    } catch (err) {
      const kind = err instanceof TelegramApiError ? err.failure.kind : "other";
      if (kind === "not_modified") return;
      if (kind !== "bad_entities") throw err;
      this.#log.warn("telegram rejected HTML edit, using plain text", { chatId });
      await this.editPlain(chatId, messageId, toPlainText(markdown));
    }
  }

  async editPlain(chatId: number, messageId: number, text: string, retries?: number): Promise<void> {
    try {
      await this.call("editMessageText", () => this.api.editMessageText(chatId, messageId, text, { link_preview_options: { is_disabled: true } }), retries);
    } catch (err) {
      if (err instanceof TelegramApiError && err.failure.kind === "not_modified") return;
      throw err;
    }
  }

  /**
   * Send `markdown` as chunks of at most `limit` characters, starting at chunk `from` (chunks
   * before it were already delivered). `onSent` runs after each chunk is accepted, so a caller can
   * record progress durably. A chunk refused as too long is split in half and retried.
   */
  async sendChunks(t: SendTarget, chunks: string[], from: number, onSent: (index: number, messageId: number) => Promise<void>): Promise<void> {
    for (let i = from; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      let id: number;
      try {
        id = await this.sendMarkdown(t, chunk);
      } catch (err) {
        if (!(err instanceof TelegramApiError) || err.failure.kind !== "too_long" || chunk.length < 200) throw err;
        const parts = chunkText(chunk, Math.floor(chunk.length / 2));
        id = 0;
        for (const p of parts) id = await this.sendMarkdown(t, p);
      }
      await onSent(i, id);
    }
  }
}
