/**
 * Assembles Messages API stream events into our events and the final assistant message. Tool
 * input arrives as `input_json_delta` fragments and is parsed at `content_block_stop`; JSON that
 * does not parse sets `failure` (kind `malformed`) and that call is never emitted as
 * `tool_call_end`. The message "so far" keeps text and thinking as received and only complete
 * tool calls.
 */
import type { RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import { emptyUsage, type ContentBlock, type Usage } from "../core/messages.ts";
import type { ProviderEvent, StopReason } from "./types.ts";
import { failure, stopEvent, type AttemptFailure, type StopEvent } from "./failure.ts";
import { REDACTED_PREFIX } from "./anthropic-map.ts";

type Slot =
  | { kind: "text"; text: string }
  | { kind: "thinking"; text: string; signature: string }
  | { kind: "redacted"; data: string }
  | { kind: "tool"; id: string; name: string; json: string; done?: ContentBlock }
  | { kind: "other" };

const STOP_REASONS: Record<string, StopReason> = {
  end_turn: "end_turn",
  tool_use: "tool_use",
  max_tokens: "max_tokens",
  stop_sequence: "stop_sequence",
  refusal: "refusal",
  pause_turn: "end_turn",
  model_context_window_exceeded: "max_tokens",
};

interface WireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

export class AnthropicAssembler {
  usage: Usage = emptyUsage();
  failure: AttemptFailure | undefined;
  /** `message_stop` arrived: the stream is complete */
  done = false;
  #stopReason: StopReason = "end_turn";
  readonly #slots = new Map<number, Slot>();
  readonly #provider: string;

  /** `provider` is the id failures are reported under (it need not be `anthropic`) */
  constructor(provider: string) {
    this.#provider = provider;
  }

  /** Usage fields are cumulative on the wire: take the newest value of each that is present. */
  #takeUsage(u: WireUsage | null | undefined): void {
    if (!u) return;
    if (typeof u.input_tokens === "number") this.usage.inputTokens = u.input_tokens;
    if (typeof u.output_tokens === "number") this.usage.outputTokens = u.output_tokens;
    if (typeof u.cache_read_input_tokens === "number") this.usage.cacheReadTokens = u.cache_read_input_tokens;
    if (typeof u.cache_creation_input_tokens === "number") this.usage.cacheWriteTokens = u.cache_creation_input_tokens;
  }

  *handle(ev: RawMessageStreamEvent): Generator<ProviderEvent> {
    switch (ev.type) {
      case "message_start":
        this.#takeUsage(ev.message.usage);
        yield { type: "start", model: ev.message.model };
        yield { type: "usage", usage: { ...this.usage } };
        return;
      case "content_block_start": {
        const b = ev.content_block;
        if (b.type === "text") {
          this.#slots.set(ev.index, { kind: "text", text: b.text });
          if (b.text) yield { type: "text_delta", text: b.text };
        } else if (b.type === "thinking") {
          this.#slots.set(ev.index, { kind: "thinking", text: b.thinking, signature: b.signature ?? "" });
          if (b.thinking) yield { type: "thinking_delta", text: b.thinking };
        } else if (b.type === "redacted_thinking") {
          this.#slots.set(ev.index, { kind: "redacted", data: b.data });
        } else if (b.type === "tool_use") {
          this.#slots.set(ev.index, { kind: "tool", id: b.id, name: b.name, json: "" });
          yield { type: "tool_call_start", id: b.id, name: b.name };
        } else {
          this.#slots.set(ev.index, { kind: "other" });
        }
        return;
      }
      case "content_block_delta": {
        const slot = this.#slots.get(ev.index);
        const d = ev.delta;
        if (d.type === "text_delta" && slot?.kind === "text") {
          slot.text += d.text;
          yield { type: "text_delta", text: d.text };
        } else if (d.type === "thinking_delta" && slot?.kind === "thinking") {
          slot.text += d.thinking;
          yield { type: "thinking_delta", text: d.thinking };
        } else if (d.type === "signature_delta" && slot?.kind === "thinking") {
          slot.signature += d.signature;
        } else if (d.type === "input_json_delta" && slot?.kind === "tool") {
          slot.json += d.partial_json;
          yield { type: "tool_call_delta", id: slot.id, argsDelta: d.partial_json };
        }
        return;
      }
      case "content_block_stop": {
        const slot = this.#slots.get(ev.index);
        if (slot?.kind !== "tool") return;
        let input: unknown;
        try {
          input = slot.json.trim() === "" ? {} : JSON.parse(slot.json);
        } catch {
          this.failure = failure("malformed", `${this.#provider}: tool call ${slot.name} (${slot.id}) has invalid JSON input`, false);
          return;
        }
        slot.done = { type: "tool_use", id: slot.id, name: slot.name, input };
        yield { type: "tool_call_end", call: { type: "tool_use", id: slot.id, name: slot.name, input } };
        return;
      }
      case "message_delta":
        this.#takeUsage(ev.usage);
        if (ev.delta.stop_reason) this.#stopReason = STOP_REASONS[ev.delta.stop_reason] ?? "end_turn";
        yield { type: "usage", usage: { ...this.usage } };
        return;
      case "message_stop":
        this.done = true;
        return;
    }
  }

  content(): ContentBlock[] {
    const out: ContentBlock[] = [];
    for (const [, slot] of [...this.#slots.entries()].sort((a, b) => a[0] - b[0])) {
      if (slot.kind === "text" && slot.text) out.push({ type: "text", text: slot.text });
      else if (slot.kind === "thinking") {
        out.push(slot.signature ? { type: "thinking", text: slot.text, signature: slot.signature } : { type: "thinking", text: slot.text });
      } else if (slot.kind === "redacted") out.push({ type: "thinking", text: "", signature: REDACTED_PREFIX + slot.data });
      else if (slot.kind === "tool" && slot.done) out.push(slot.done);
    }
    return out;
  }

  finalStop(): StopEvent {
    return stopEvent(this.#stopReason, this.content(), { ...this.usage });
  }
}
