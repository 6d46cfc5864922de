/**
 * Talking to the Bot API safely. 429 (`retry_after`) and 5xx are retried by the auto-retry
 * transformer on the Api (api.ts); `call()` adds bounded retries of network failures (core/backoff)
 * and classifies every failure (`classifyTelegramError`) so callers decide without parsing strings. Sending formatted text tries
 * HTML first and falls back to plain text when Telegram rejects the entities; a chunk Telegram
 * calls too long is split again. 403 (blocked) and 400 (chat not found) end the reply for that chat
 * without crashing anything.
 */
import { GrammyError, HttpError, type Api } from "grammy";
import { abortableSleep, backoffDelay, type Sleep } from "../../core/backoff.ts";
import { errorMessage, OpenClawError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { redact } from "../../core/secrets.ts";
import type { ApiCounters } from "./api.ts";
import { chunkText } from "./chunk.ts";
import { markdownToTelegramHtml, toPlainText } from "./format.ts";

export type TelegramFailureKind =
  | "rate_limited" | "blocked" | "chat_not_found" | "too_long" | "not_modified" | "bad_entities"
  | "conflict" | "unauthorized" | "server" | "network" | "other";

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
    if (err.error_code >= 500) return { kind: "server", description: d };
    if (err.error_code === 401) return { kind: "unauthorized", description: d };
    if (lower.includes("chat not found") || lower.includes("user not found")) return { kind: "chat_not_found", description: d };
    if (lower.includes("message is too long") || lower.includes("text is too long")) return { kind: "too_long", description: d };
    if (lower.includes("message is not modified")) return { kind: "not_modified", description: d };
    if (lower.includes("can't parse entities") || lower.includes("can't find end tag") || lower.includes("unsupported start tag")) return { kind: "bad_entities", description: d };
    return { kind: "other", description: d };
  }
  // the cause says what failed (refused, timed out); redact: a fetch error may quote the URL, which holds the token
  if (err instanceof HttpError) return { kind: "network", description: redact(`${err.message} (${errorMessage(err.error)})`) };
  return { kind: "other", description: errorMessage(err) };
}

export interface SenderOptions {
  log: Logger;
  /** retries after a network failure (default 3); 429 and 5xx are the auto-retry transformer's */
  maxRetries?: number;
  sleep?: Sleep;
  /** counts 429s (shared with the transformer in api.ts) */
  counters?: ApiCounters;
}

export interface SendTarget {
  chatId: number;
  threadId?: number;
  replyTo?: number;
}

export class TelegramSender {
  readonly #log: Logger;
  readonly #maxRetries: number;
  readonly #sleep: Sleep;
  readonly #counters: ApiCounters;

  constructor(readonly api: Api, opts: SenderOptions) {
    this.#log = opts.log;
    this.#maxRetries = opts.maxRetries ?? 3;
    this.#sleep = opts.sleep ?? abortableSleep;
    this.#counters = opts.counters ?? { rateLimited: 0 };
  }

  /** 429s seen (for status) */
  get rateLimited(): number {
    return this.#counters.rateLimited;
  }

  /**
   * Run one Bot API call, retrying network failures (bounded, jittered); throws `TelegramApiError`
   * with the classified failure. `signal` ends the waits between retries (stop()).
   */
  async call<T>(label: string, fn: () => Promise<T>, retries = this.#maxRetries, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const f = classifyTelegramError(err);
        if (f.kind !== "network" || attempt >= retries || signal?.aborted) throw new TelegramApiError(f, { cause: err });
        const wait = backoffDelay(attempt, { baseMs: 250, maxMs: 5_000 });
        this.#log.debug("telegram call retry", { call: label, kind: f.kind, waitMs: wait, attempt: attempt + 1 });
        await this.#sleep(wait, signal);
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
