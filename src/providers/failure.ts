/**
 * Failure classification shared by every provider: HTTP status → `ProviderFailure` kind, and the
 * final `stop` events that end a stream. Providers never throw past `stream()`; they end with one
 * of these instead.
 */
import { emptyUsage, type ContentBlock, type Usage } from "../core/messages.ts";
import { mask, redact, type ApiKey } from "../core/secrets.ts";
import type { ProviderEvent, ProviderFailure, StopReason } from "./types.ts";

/** A failure as an attempt reports it; `retryAfterMs` is read by the retry loop and then dropped. */
export interface AttemptFailure extends ProviderFailure {
  retryAfterMs?: number;
}

export type StopEvent = Extract<ProviderEvent, { type: "stop" }>;

/** 429, 5xx and 529 are worth another attempt; every other 4xx is the caller's mistake. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

export function kindOfStatus(status: number): string {
  if (status === 429) return "rate_limited";
  if (status === 529) return "overloaded";
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 413) return "request_too_large";
  if (status >= 500) return "server_error";
  return "invalid_request";
}

/** Anthropic error `type`s (in an HTTP body or an SSE `error` event) → kind and retryability. */
export function kindOfErrorType(type: string | null | undefined): { kind: string; retryable: boolean } {
  switch (type) {
    case "overloaded_error":
      return { kind: "overloaded", retryable: true };
    case "rate_limit_error":
      return { kind: "rate_limited", retryable: true };
    case "api_error":
      return { kind: "server_error", retryable: true };
    case "authentication_error":
    case "permission_error":
      return { kind: "auth", retryable: false };
    case "not_found_error":
      return { kind: "not_found", retryable: false };
    case "request_too_large":
      return { kind: "request_too_large", retryable: false };
    default:
      return { kind: "invalid_request", retryable: false };
  }
}

const LABELS: Record<string, string> = {
  rate_limited: "rate limited",
  overloaded: "overloaded",
  server_error: "server error",
  auth: "authentication failed",
  not_found: "not found",
  request_too_large: "request too large",
  invalid_request: "invalid request",
};

export function httpFailure(provider: string, status: number, detail: string | undefined, retryAfterMs?: number): AttemptFailure {
  const kind = kindOfStatus(status);
  const message = `${provider}: ${LABELS[kind] ?? kind} (HTTP ${status})${detail ? `: ${detail}` : ""}`;
  const failure: AttemptFailure = { kind, message, status, retryable: isRetryableStatus(status) };
  if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
  return failure;
}

export function failure(kind: string, message: string, retryable: boolean, status?: number): AttemptFailure {
  const f: AttemptFailure = { kind, message, retryable };
  if (status !== undefined) f.status = status;
  return f;
}

export function stopEvent(stopReason: StopReason, content: ContentBlock[], usage: Usage, error?: ProviderFailure): StopEvent {
  const ev: StopEvent = { type: "stop", stopReason, message: { role: "assistant", content }, usage };
  if (error) ev.error = error;
  return ev;
}

export function abortedStop(content: ContentBlock[] = [], usage: Usage = emptyUsage()): StopEvent {
  return stopEvent("aborted", content, usage, { kind: "aborted", message: "aborted", retryable: false });
}

export function errorStop(error: ProviderFailure, content: ContentBlock[] = [], usage: Usage = emptyUsage()): StopEvent {
  return stopEvent("error", content, usage, error);
}

/** Events that put model output in front of the caller; once one is yielded, nothing is retried. */
export function isOutputEvent(ev: ProviderEvent): boolean {
  return ev.type === "text_delta" || ev.type === "thinking_delta" || ev.type.startsWith("tool_call_");
}

/**
 * A failure message as it may leave the provider: every registered secret and token shape masked
 * (`redact`), and the provider's own key even when it looks like no known token (an error body
 * that echoes the key must not reach the stored log, an event or a client).
 */
export function redactMessage(message: string, key?: ApiKey): string {
  let out = redact(message);
  const raw = key?.reveal();
  if (raw && raw.length >= 6 && out.includes(raw)) out = out.split(raw).join(mask(raw));
  return out;
}

/** Passes a provider stream on with its final failure (if any) redacted: the one exit of every provider. */
export async function* redactFailures(events: AsyncIterable<ProviderEvent>, key?: ApiKey): AsyncGenerator<ProviderEvent> {
  for await (const ev of events) {
    if (ev.type === "stop" && ev.error) yield { ...ev, error: { ...ev.error, message: redactMessage(ev.error.message, key) } };
    else yield ev;
  }
}
