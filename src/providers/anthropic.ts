/**
 * `AnthropicProvider`: the Messages API through `@anthropic-ai/sdk`, streamed. The SDK's retries
 * are off (`maxRetries: 0`); `retry.ts` is the one retry policy. `stream()` never throws: SDK and
 * HTTP errors, aborts, idle timeouts, cut streams and invalid tool JSON all end the stream with a
 * `stop` event (see types.ts). The SDK sends the key as `Authorization: Bearer …` (SDK ≥ 1.x).
 */
import { Anthropic, APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "@anthropic-ai/sdk";
import type { Stream } from "@anthropic-ai/sdk/core/streaming";
import type { RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import { createLogger, type Logger } from "../core/log.ts";
import type { ApiKey } from "../core/secrets.ts";
import { errorMessage } from "../core/errors.ts";
import type { Provider, ProviderEvent, ProviderRequest } from "./types.ts";
import { abortedStop, errorStop, failure, httpFailure, kindOfErrorType, redactFailures, type AttemptFailure, type StopEvent } from "./failure.ts";
import { parseRetryAfter, retrySettings, withRetries, type RetrySettings } from "./retry.ts";
import { AttemptControl } from "./attempt-control.ts";
import { AnthropicAssembler } from "./anthropic-stream.ts";
import { anthropicBody } from "./anthropic-body.ts";

export const ANTHROPIC_BASE_URL = "https://api.anthropic.com";
export const DEFAULT_TIMEOUT_MS = 300_000;
export const DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-4-5";

export interface AnthropicProviderOptions {
  apiKey: ApiKey;
  baseURL?: string;
  /** wait for response headers, and the longest silence allowed inside a stream (default 5 min) */
  timeoutMs?: number;
  /** retries after the first attempt (default 3) */
  maxRetries?: number;
  headers?: Record<string, string>;
  /** provider id used in model refs and messages (default `anthropic`) */
  id?: string;
  /** used when a request names no model (default `claude-sonnet-4-5`) */
  defaultModel?: string;
  /** backoff tuning; tests inject `sleep` and `random` here */
  retry?: Partial<RetrySettings>;
  log?: Logger;
}

export class AnthropicProvider implements Provider {
  readonly id: string;
  readonly #client: Anthropic;
  readonly #retry: RetrySettings;
  readonly #timeoutMs: number;
  readonly #log: Logger;
  readonly #defaultModel: string;
  readonly #apiKey: ApiKey;
  /** host[:port] of the base URL, named in connection errors */
  readonly #host: string;

  constructor(opts: AnthropicProviderOptions) {
    this.id = opts.id ?? "anthropic";
    this.#defaultModel = opts.defaultModel ?? DEFAULT_ANTHROPIC_MODEL;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#retry = retrySettings(opts.retry, opts.maxRetries);
    this.#log = opts.log ?? createLogger(`providers:${this.id}`);
    this.#apiKey = opts.apiKey;
    const baseURL = opts.baseURL ?? ANTHROPIC_BASE_URL;
    this.#host = hostOf(baseURL);
    const sdkLog = this.#log.child("sdk");
    const line = (args: unknown[]) => args.map((a) => (typeof a === "string" ? a : errorMessage(a))).join(" ");
    this.#client = new Anthropic({
      apiKey: opts.apiKey.reveal(),
      authToken: null,
      // passed explicitly: config loading resolves ANTHROPIC_BASE_URL (config/env.ts, the file wins); the SDK never reads the environment itself
      baseURL,
      timeout: this.#timeoutMs,
      maxRetries: 0,
      defaultHeaders: opts.headers ?? {},
      openTelemetry: false,
      logLevel: "warn",
      logger: {
        error: (...a: unknown[]) => sdkLog.error(line(a)),
        warn: (...a: unknown[]) => sdkLog.warn(line(a)),
        info: (...a: unknown[]) => sdkLog.debug(line(a)),
        debug: (...a: unknown[]) => sdkLog.trace(line(a)),
      },
    });
  }

  stream(request: ProviderRequest, signal?: AbortSignal): AsyncIterable<ProviderEvent> {
    // a full `anthropic/<model>` ref is accepted too; "" means the default model
    const prefix = `${this.id}/`;
    const model = request.model.startsWith(prefix) ? request.model.slice(prefix.length) : request.model || this.#defaultModel;
    if (model !== request.model) request = { ...request, model };
    return redactFailures(withRetries(() => this.#attempt(request, signal), this.#retry, signal, this.#log), this.#apiKey);
  }

  async *#attempt(request: ProviderRequest, signal: AbortSignal | undefined): AsyncGenerator<ProviderEvent> {
    const ctl = new AttemptControl(signal, this.#timeoutMs);
    const asm = new AnthropicAssembler(this.id);
    try {
      if (ctl.aborted) {
        yield abortedStop();
        return;
      }
      // `post` rather than `messages.create`: the same request, minus create()'s console.warn on
      // deprecated model ids, which would bypass our logger on every single call
      const stream = await this.#client.post<Stream<RawMessageStreamEvent>>("/v1/messages", {
        body: anthropicBody(request),
        headers: { "content-type": "application/json" },
        stream: true,
        timeout: this.#timeoutMs,
        signal: ctl.signal,
      });
      ctl.touch();
      for await (const ev of stream) {
        ctl.touch();
        yield* asm.handle(ev);
        if (asm.failure) break;
      }
      yield ctl.endOf(asm, asm.done, this.id, "message_stop");
    } catch (err) {
      yield this.#failed(err, ctl, asm);
    } finally {
      ctl.dispose();
    }
  }

  #failed(err: unknown, ctl: AttemptControl, asm: AnthropicAssembler): StopEvent {
    const content = asm.content();
    if (ctl.aborted) return abortedStop(content, asm.usage);
    if (ctl.timedOut || err instanceof APIConnectionTimeoutError) return errorStop(ctl.timeoutFailure(this.id), content, asm.usage);
    return errorStop(this.#classify(err), content, asm.usage);
  }

  #classify(err: unknown): AttemptFailure {
    if (err instanceof APIUserAbortError) return failure("aborted", `${this.id}: request aborted`, false);
    if (err instanceof APIConnectionError) return failure("connection", `${this.id}: connection to ${this.#host} failed: ${err.message}`, true);
    if (err instanceof APIError) {
      const detail = err.apiMessage ?? undefined;
      if (typeof err.status === "number") return httpFailure(this.id, err.status, detail, parseRetryAfter(err.headers));
      // an SSE `error` event inside a 200 stream (e.g. overloaded_error mid-way)
      const { kind, retryable } = kindOfErrorType(err.type);
      return failure(kind, `${this.id}: ${err.type ?? "error"} in stream${detail ? `: ${detail}` : ""}`, retryable);
    }
    if (err instanceof SyntaxError) return failure("malformed", `${this.id}: malformed stream data: ${err.message}`, false);
    // a socket reset while reading the body surfaces as a plain error from fetch
    return failure("stream_cut", `${this.id}: connection to ${this.#host} lost: ${errorMessage(err)}`, true);
  }
}

/** `host:port` of a URL for messages (no path, no credentials); the text as given when it does not parse. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
