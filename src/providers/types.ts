/**
 * The provider stream contract. `stream()` never throws and never rejects: every failure (HTTP
 * error, abort, a cut stream, malformed SSE or JSON) arrives as the final `stop` event with
 * `stopReason: "error" | "aborted"` and a typed `error`. Exactly one `stop` event ends every stream,
 * carrying the whole assistant message as assembled so far. A `tool_call_end` is emitted only for
 * a tool call whose arguments were received completely; callers execute tool calls only when the
 * stop reason is `tool_use`.
 */
import type { Message, ToolUseBlock, Usage } from "../core/messages.ts";

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the input object */
  inputSchema: Record<string, unknown>;
}

export interface ProviderRequest {
  /** model id without the provider prefix, e.g. `claude-sonnet-4-5` */
  model: string;
  system: string;
  messages: Message[];
  tools: ToolSpec[];
  maxTokens: number;
  thinking?: { budgetTokens: number };
  temperature?: number;
}

export type StopReason = "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "refusal" | "error" | "aborted";

export interface ProviderFailure {
  /** e.g. `rate_limited`, `overloaded`, `server_error`, `invalid_request`, `auth`, `connection`, `stream_cut`, `malformed`, `aborted` */
  kind: string;
  message: string;
  status?: number;
  retryable: boolean;
}

export type ProviderEvent =
  | { type: "start"; model: string }
  | { type: "text_delta"; text: string }
  | { type: "thinking_delta"; text: string }
  | { type: "tool_call_start"; id: string; name: string }
  | { type: "tool_call_delta"; id: string; argsDelta: string }
  | { type: "tool_call_end"; call: ToolUseBlock }
  | { type: "usage"; usage: Usage }
  | {
      type: "stop";
      stopReason: StopReason;
      /** the assistant message (text, thinking, complete tool calls) */
      message: Message;
      usage: Usage;
      error?: ProviderFailure;
    };

export interface Provider {
  /** provider id as used in model refs (`anthropic`) */
  readonly id: string;
  stream(request: ProviderRequest, signal?: AbortSignal): AsyncIterable<ProviderEvent>;
}
