/**
 * Assembles chat-completion chunks: content deltas, reasoning deltas (`reasoning_content` /
 * `reasoning`, as vLLM, Ollama, OpenRouter and DeepSeek send them) and tool calls streamed by
 * `index` (id and name usually in the first fragment, arguments spread over many). Tool calls are
 * closed when the choice finishes; arguments that do not parse set `failure` (`malformed`) and are
 * never emitted as `tool_call_end`. Usage comes from the final chunk (`include_usage`).
 */
import { emptyUsage, type ContentBlock, type Usage } from "../core/messages.ts";
import type { ProviderEvent, StopReason } from "./types.ts";
import { failure, stopEvent, type AttemptFailure, type StopEvent } from "./failure.ts";

interface ToolSlot {
  id: string;
  name: string;
  args: string;
  started: boolean;
  done?: ContentBlock;
}

interface ChunkToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

export interface ChatChunk {
  model?: string;
  choices?: Array<{ delta?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null; tool_calls?: ChunkToolCall[] }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } | null } | null;
  error?: { message?: string; code?: number | string; type?: string };
}

const FINISH: Record<string, StopReason> = { stop: "end_turn", tool_calls: "tool_use", function_call: "tool_use", length: "max_tokens", content_filter: "refusal" };

export class OpenAIAssembler {
  usage: Usage = emptyUsage();
  failure: AttemptFailure | undefined;
  /** a finish_reason arrived (tool calls are closed) */
  finished = false;
  #started = false;
  #text = "";
  #thinking = "";
  #stop: StopReason = "end_turn";
  readonly #tools = new Map<number, ToolSlot>();
  readonly #provider: string;

  constructor(provider: string) {
    this.#provider = provider;
  }

  *handle(chunk: ChatChunk): Generator<ProviderEvent> {
    if (!this.#started) {
      this.#started = true;
      yield { type: "start", model: chunk.model ?? "" };
    }
    if (chunk.usage) {
      const cached = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
      this.usage = {
        inputTokens: Math.max(0, (chunk.usage.prompt_tokens ?? 0) - cached),
        outputTokens: chunk.usage.completion_tokens ?? 0,
        cacheReadTokens: cached,
        cacheWriteTokens: 0,
      };
      yield { type: "usage", usage: { ...this.usage } };
    }
    const choice = chunk.choices?.[0];
    if (!choice) return;
    const d = choice.delta ?? {};
    const reasoning = d.reasoning_content ?? d.reasoning;
    if (reasoning) {
      this.#thinking += reasoning;
      yield { type: "thinking_delta", text: reasoning };
    }
    if (d.content) {
      this.#text += d.content;
      yield { type: "text_delta", text: d.content };
    }
    for (const tc of d.tool_calls ?? []) yield* this.#toolFragment(tc);
    if (choice.finish_reason && !this.finished) {
      this.finished = true;
      this.#stop = FINISH[choice.finish_reason] ?? "end_turn";
      yield* this.#closeTools();
    }
  }

  *#toolFragment(tc: ChunkToolCall): Generator<ProviderEvent> {
    const index = tc.index ?? this.#tools.size;
    let slot = this.#tools.get(index);
    if (!slot) {
      slot = { id: tc.id || `call_${index}_${Date.now().toString(36)}`, name: "", args: "", started: false };
      this.#tools.set(index, slot);
    }
    if (tc.function?.name && !slot.name) slot.name = tc.function.name;
    const args = tc.function?.arguments ?? "";
    slot.args += args;
    if (!slot.started && slot.name) {
      slot.started = true;
      yield { type: "tool_call_start", id: slot.id, name: slot.name };
      if (slot.args) yield { type: "tool_call_delta", id: slot.id, argsDelta: slot.args };
    } else if (slot.started && args) {
      yield { type: "tool_call_delta", id: slot.id, argsDelta: args };
    }
  }

  *#closeTools(): Generator<ProviderEvent> {
    for (const slot of [...this.#tools.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s)) {
      let input: unknown;
      try {
        if (!slot.name) throw new Error("no name");
        input = slot.args.trim() === "" ? {} : JSON.parse(slot.args);
        if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error("not an object");
      } catch {
        this.failure = failure("malformed", `${this.#provider}: tool call ${slot.name || "(unnamed)"} (${slot.id}) has invalid JSON arguments`, false);
        return;
      }
      slot.done = { type: "tool_use", id: slot.id, name: slot.name, input };
      yield { type: "tool_call_end", call: { type: "tool_use", id: slot.id, name: slot.name, input } };
    }
    // some servers finish with "stop" although they called tools
    if (this.#tools.size > 0 && this.#stop === "end_turn") this.#stop = "tool_use";
  }

  content(): ContentBlock[] {
    const out: ContentBlock[] = [];
    if (this.#thinking) out.push({ type: "thinking", text: this.#thinking });
    if (this.#text) out.push({ type: "text", text: this.#text });
    for (const [, slot] of [...this.#tools.entries()].sort((a, b) => a[0] - b[0])) if (slot.done) out.push(slot.done);
    return out;
  }

  finalStop(): StopEvent {
    return stopEvent(this.#stop, this.content(), { ...this.usage });
  }
}
