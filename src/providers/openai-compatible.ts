/**
 * `OpenAICompatibleProvider`: chat completions streamed over SSE with plain fetch (no SDK), for
 * OpenAI, OpenRouter, Ollama, vLLM, llama.cpp server, LM Studio and anything else that speaks
 * `POST {baseUrl}/chat/completions`. Same contract as every provider: `stream()` never throws; it
 * ends with one `stop` event; retries via `retry.ts`. A server that ignores `stream: true` and
 * answers with one JSON completion is accepted too.
 */
import { createLogger, type Logger } from "../core/log.ts";
import type { ApiKey } from "../core/secrets.ts";
import { readCapped } from "../core/body.ts";
import { errorMessage, PayloadTooLargeError } from "../core/errors.ts";
import type { Provider, ProviderEvent, ProviderRequest } from "./types.ts";
import { abortedStop, errorStop, failure, httpFailure, isRetryableStatus, kindOfStatus, redactFailures, type AttemptFailure, type StopEvent } from "./failure.ts";
import { parseRetryAfter, retrySettings, withRetries, type RetrySettings } from "./retry.ts";
import { AttemptControl } from "./attempt-control.ts";
import { OpenAIAssembler, type ChatChunk } from "./openai-stream.ts";
import { toChatBody } from "./openai-map.ts";
import { DEFAULT_MAX_EVENT_BYTES, readSse, SseEventTooLargeError } from "./sse.ts";
import { DEFAULT_TIMEOUT_MS, hostOf } from "./anthropic.ts";

/** how much of an HTTP error body is read (the message is in the first few hundred bytes) */
const ERROR_BODY_BYTES = 64 * 1024;

export interface OpenAICompatibleOptions {
  /** provider id as used in model refs (`ollama`, `openrouter`, …) */
  id: string;
  /** e.g. `http://127.0.0.1:11434/v1`; `/chat/completions` is appended */
  baseUrl: string;
  apiKey?: ApiKey;
  timeoutMs?: number;
  maxRetries?: number;
  headers?: Record<string, string>;
  /** used when a request names no model */
  defaultModel?: string;
  /** default: `max_completion_tokens` for api.openai.com, `max_tokens` elsewhere */
  maxTokensField?: "max_tokens" | "max_completion_tokens";
  /** the largest single SSE event accepted, in bytes (default 8 MiB); a larger one ends the stream with `malformed` */
  maxEventBytes?: number;
  retry?: Partial<RetrySettings>;
  log?: Logger;
}

export class OpenAICompatibleProvider implements Provider {
  readonly id: string;
  readonly #opts: OpenAICompatibleOptions;
  readonly #url: string;
  readonly #retry: RetrySettings;
  readonly #timeoutMs: number;
  readonly #log: Logger;
  readonly #maxEventBytes: number;

  constructor(opts: OpenAICompatibleOptions) {
    this.id = opts.id;
    this.#opts = opts;
    this.#url = `${opts.baseUrl.replace(/\/+$/, "")}/chat/completions`;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#retry = retrySettings(opts.retry, opts.maxRetries);
    this.#log = opts.log ?? createLogger(`providers:${opts.id}`);
    this.#maxEventBytes = opts.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  stream(request: ProviderRequest, signal?: AbortSignal): AsyncIterable<ProviderEvent> {
    const model = request.model.startsWith(`${this.id}/`) ? request.model.slice(this.id.length + 1) : request.model || this.#opts.defaultModel;
    if (!model) return once(errorStop(failure("invalid_request", `${this.id}: no model given (use a ref like ${this.id}/<model>)`, false)));
    const field = this.#opts.maxTokensField ?? (/^https:\/\/api\.openai\.com\//.test(this.#url) ? "max_completion_tokens" : "max_tokens");
    const body = JSON.stringify(toChatBody(request, model, { maxTokensField: field }));
    return redactFailures(withRetries(() => this.#attempt(body, signal), this.#retry, signal, this.#log), this.#opts.apiKey);
  }

  #headers(): Record<string, string> {
    const h: Record<string, string> = { "content-type": "application/json", accept: "text/event-stream", ...this.#opts.headers };
    if (this.#opts.apiKey) h.authorization = `Bearer ${this.#opts.apiKey.reveal()}`;
    return h;
  }

  async *#attempt(body: string, signal: AbortSignal | undefined): AsyncGenerator<ProviderEvent> {
    const ctl = new AttemptControl(signal, this.#timeoutMs);
    const asm = new OpenAIAssembler(this.id);
    let done = false;
    try {
      if (ctl.aborted) {
        yield abortedStop();
        return;
      }
      const res = await fetch(this.#url, { method: "POST", headers: this.#headers(), body, signal: ctl.signal });
      ctl.touch();
      if (!res.ok) {
        yield errorStop(await this.#httpError(res));
        return;
      }
      if (!res.body || !(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
        // a server that ignored `stream: true`: one JSON completion, bounded like one event
        const { bytes } = await readCapped(res.body, this.#maxEventBytes);
        yield* asm.handle(toChunk(JSON.parse(new TextDecoder().decode(bytes)) as Completion));
        yield ctl.endOf(asm, asm.finished, this.id, "the completion finished");
        return;
      }
      // the idle clock restarts per complete event, never per chunk: a trickle that never finishes an event times out
      for await (const sse of readSse(res.body, { maxEventBytes: this.#maxEventBytes, onEvent: () => ctl.touch() })) {
        if (sse.data.trim() === "[DONE]") {
          done = true;
          break;
        }
        const chunk = JSON.parse(sse.data) as ChatChunk;
        if (chunk.error) {
          asm.failure = streamFailure(this.id, chunk.error);
          break;
        }
        yield* asm.handle(chunk);
        if (asm.failure) break;
      }
      // [DONE] without a finish_reason still closes pending tool calls (lenient servers)
      if (done && !asm.finished && !asm.failure) yield* asm.handle({ choices: [{ finish_reason: "stop" }] });
      yield ctl.endOf(asm, asm.finished, this.id, "the completion finished");
    } catch (err) {
      if (ctl.aborted) yield abortedStop(asm.content(), asm.usage);
      else if (ctl.timedOut) yield errorStop(ctl.timeoutFailure(this.id), asm.content(), asm.usage);
      else if (err instanceof PayloadTooLargeError) {
        const what = err instanceof SseEventTooLargeError ? err.message : `the completion passed ${this.#maxEventBytes} bytes`;
        const f = failure("malformed", `${this.id}: ${what} (the server's stream is broken or hostile; raise maxEventBytes only for a server known to send such events)`, false);
        yield errorStop(f, asm.content(), asm.usage);
      } else if (err instanceof SyntaxError) yield errorStop(failure("malformed", `${this.id}: malformed stream data: ${err.message}`, false), asm.content(), asm.usage);
      else {
        const kind = asm.content().length > 0 ? "stream_cut" : "connection";
        yield errorStop(failure(kind, `${this.id}: connection to ${hostOf(this.#url)} failed: ${errorMessage(err)}`, true), asm.content(), asm.usage);
      }
    } finally {
      ctl.dispose();
    }
  }

  async #httpError(res: Response): Promise<AttemptFailure> {
    let detail: string | undefined;
    try {
      const text = new TextDecoder().decode((await readCapped(res.body, ERROR_BODY_BYTES, { truncate: true })).bytes);
      try {
        const j = JSON.parse(text) as { error?: string | { message?: string }; message?: string };
        detail = typeof j.error === "string" ? j.error : (j.error?.message ?? j.message);
      } catch {
        detail = text.slice(0, 300) || undefined;
      }
    } catch {
      /* body unreadable: the status says enough */
    }
    return httpFailure(this.id, res.status, detail, parseRetryAfter(res.headers));
  }
}

async function* once(ev: StopEvent): AsyncGenerator<ProviderEvent> {
  yield ev;
}

function streamFailure(id: string, e: NonNullable<ChatChunk["error"]>): AttemptFailure {
  const status = typeof e.code === "number" ? e.code : Number.isInteger(Number(e.code)) ? Number(e.code) : undefined;
  const kind = status ? kindOfStatus(status) : "server_error";
  return failure(kind, `${id}: error in stream: ${e.message ?? e.type ?? "unknown"}`, status ? isRetryableStatus(status) : true);
}

interface Completion {
  model?: string;
  choices?: Array<{ message?: { content?: string | null; reasoning_content?: string | null; tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: string } }> }; finish_reason?: string | null }>;
  usage?: ChatChunk["usage"];
}

/** A non-streamed completion as one chunk, so the assembler handles both. */
function toChunk(c: Completion): ChatChunk {
  const choice = c.choices?.[0];
  const m = choice?.message ?? {};
  const chunk: ChatChunk = {
    choices: [
      {
        delta: { content: m.content ?? null, reasoning_content: m.reasoning_content ?? null, tool_calls: (m.tool_calls ?? []).map((t, index) => ({ ...t, index })) },
        finish_reason: choice?.finish_reason ?? "stop",
      },
    ],
  };
  if (c.model) chunk.model = c.model;
  if (c.usage) chunk.usage = c.usage;
  return chunk;
}
