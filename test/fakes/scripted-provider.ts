/**
 * An in-process Provider that plays scripted turns, for tests of anything above the provider
 * (agent loop, gateway, channels) and for benchmarks. Honours the stream contract: never throws,
 * exactly one final `stop` event, `tool_call_end` only for complete calls, abort → `aborted`.
 *
 *   const p = new ScriptedProvider([say.tool("echo", { text: "hi" }), say.text("done")]);
 *   const p = new ScriptedProvider((req, i) => say.text(`turn ${i}`));   // computed per request
 *   const p = ScriptedProvider.instant("ok");                          // no timers at all (benchmarks)
 *   p.requests[0].messages …; p.maxActive (highest number of concurrent streams)
 *
 * A step may stream slowly (`chunkDelayMs`), hang until aborted (`hang`), fail (`error`), or cut the
 * stream after a tool call's first argument bytes (`cut`: ends with `error`, the call incomplete).
 */
import type { Message, ToolUseBlock, Usage } from "../../src/core/messages.ts";
import type { Provider, ProviderEvent, ProviderFailure, ProviderRequest, StopReason } from "../../src/providers/types.ts";

export interface ScriptStep {
  text?: string;
  thinking?: string;
  toolCalls?: { name: string; input: unknown; id?: string }[];
  /** default: tool_use when there are tool calls, else end_turn (error when `error` is set) */
  stopReason?: StopReason;
  usage?: Partial<Usage>;
  /** end with stopReason "error" and this failure, after streaming the text */
  error?: Partial<ProviderFailure> & { message: string };
  /** stream the first tool call partly, then end with a `stream_cut` error */
  cut?: boolean;
  /** after the text, wait until aborted */
  hang?: boolean;
  /** characters per text delta (default: whole text in one delta) */
  chunkSize?: number;
  /** delay between deltas */
  chunkDelayMs?: number;
  /** delay before the first event */
  delayMs?: number;
  model?: string;
}

export type Script = ScriptStep[] | ((request: ProviderRequest, index: number) => ScriptStep);

let callSeq = 0;

export const say = {
  text: (text: string, o: Partial<ScriptStep> = {}): ScriptStep => ({ text, ...o }),
  tool: (name: string, input: unknown, o: Partial<ScriptStep> = {}): ScriptStep => ({ toolCalls: [{ name, input }], ...o }),
  tools: (calls: { name: string; input: unknown }[], o: Partial<ScriptStep> = {}): ScriptStep => ({ toolCalls: calls, ...o }),
  error: (message: string, o: Partial<ProviderFailure> = {}): ScriptStep => ({ error: { message, ...o } }),
};

export class ScriptedProvider implements Provider {
  readonly id: string;
  readonly requests: ProviderRequest[] = [];
  active = 0;
  maxActive = 0;
  #script: Script;
  #index = 0;
  #instant: boolean;

  constructor(script: Script, opts: { id?: string; instant?: boolean } = {}) {
    this.id = opts.id ?? "scripted";
    this.#script = script;
    this.#instant = opts.instant ?? false;
  }

  /** Replies `text` to every request with no timers and no request recording. */
  static instant(text = "ok"): ScriptedProvider {
    const step: ScriptStep = { text, usage: { inputTokens: 10, outputTokens: 2 } };
    return new ScriptedProvider(() => step, { instant: true });
  }

  /** Append steps to an array script. */
  push(...steps: ScriptStep[]): this {
    if (Array.isArray(this.#script)) this.#script.push(...steps);
    return this;
  }

  get calls(): number {
    return this.#index;
  }

  next(request: ProviderRequest): ScriptStep {
    const i = this.#index++;
    if (!this.#instant) this.requests.push(structuredClone(request));
    if (typeof this.#script === "function") return this.#script(request, i);
    return this.#script[i] ?? { error: { message: `script exhausted after ${this.#script.length} steps`, kind: "script" } };
  }

  async *stream(request: ProviderRequest, signal?: AbortSignal): AsyncIterable<ProviderEvent> {
    const step = this.next(request);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      yield* this.#play(step, request, signal);
    } finally {
      this.active--;
    }
  }

  async *#play(step: ScriptStep, request: ProviderRequest, signal?: AbortSignal): AsyncGenerator<ProviderEvent> {
    const content: Message["content"] = [];
    const usage: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, ...step.usage };
    const stop = (stopReason: StopReason, error?: ProviderFailure): ProviderEvent => ({
      type: "stop", stopReason, message: { role: "assistant", content: [...content] }, usage, ...(error ? { error } : {}),
    });
    const aborted = (): ProviderEvent => stop("aborted", { kind: "aborted", message: "the request was aborted", retryable: false });

    if (step.delayMs && !(await sleep(step.delayMs, signal))) return yield aborted();
    if (signal?.aborted) return yield aborted();
    yield { type: "start", model: step.model ?? (request.model || "scripted-model") };
    if (step.thinking) {
      yield { type: "thinking_delta", text: step.thinking };
      content.push({ type: "thinking", text: step.thinking, signature: "sig" });
    }
    if (step.text) {
      const size = step.chunkSize ?? step.text.length;
      let sent = "";
      for (let i = 0; i < step.text.length; i += size) {
        if (i > 0 && step.chunkDelayMs && !(await sleep(step.chunkDelayMs, signal))) {
          if (sent) content.push({ type: "text", text: sent });
          return yield aborted();
        }
        const piece = step.text.slice(i, i + size);
        sent += piece;
        yield { type: "text_delta", text: piece };
      }
      content.push({ type: "text", text: sent });
    }
    if (step.hang) {
      await sleep(3_600_000, signal);
      return yield aborted();
    }
    for (const [i, call] of (step.toolCalls ?? []).entries()) {
      const id = call.id ?? `call_${++callSeq}`;
      const args = JSON.stringify(call.input);
      yield { type: "tool_call_start", id, name: call.name };
      if (step.cut && i === 0) {
        yield { type: "tool_call_delta", id, argsDelta: args.slice(0, Math.max(1, args.length >> 1)) };
        return yield stop("error", { kind: "stream_cut", message: "the connection was cut mid-stream", retryable: true });
      }
      yield { type: "tool_call_delta", id, argsDelta: args };
      const block: ToolUseBlock = { type: "tool_use", id, name: call.name, input: call.input };
      yield { type: "tool_call_end", call: block };
      content.push(block);
    }
    yield { type: "usage", usage };
    if (step.error) {
      return yield stop("error", { kind: step.error.kind ?? "server_error", message: step.error.message, retryable: step.error.retryable ?? false, ...(step.error.status ? { status: step.error.status } : {}) });
    }
    yield stop(step.stopReason ?? (step.toolCalls?.length ? "tool_use" : "end_turn"));
  }
}

/** Resolves true after `ms`, false as soon as `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
