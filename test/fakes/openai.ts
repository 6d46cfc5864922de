/**
 * A fake OpenAI chat-completions API on 127.0.0.1 (`POST /v1/chat/completions`, also
 * `/chat/completions`; `GET /v1/models` lists one model): SSE chunks with content, reasoning and tool calls streamed by index, a
 * finish chunk, a usage chunk (`stream_options.include_usage`) and `[DONE]`; JSON when
 * `stream` is not true. Scripted like the Anthropic fake:
 *
 *   const fake = await startFakeOpenAI();
 *   fake.enqueue(oai.toolCall("exec", { command: "ls" }), oai.text("done"));
 *   new OpenAICompatibleProvider({ id: "ollama", baseUrl: `${fake.url}/v1` }) …
 *
 * `bun test/fakes/openai.ts --port 0` prints `FAKE_OPENAI_URL=<url>` and echoes.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { json, lastUserText, playReply, serveFromCli, splitText, startScriptedFake, type RecordedRequest, type ModelFakeOptions, type ScriptedFake, type SseFrame } from "./http-fake.ts";

export type { RecordedRequest } from "./http-fake.ts";

export interface FakeToolCall {
  name: string;
  /** an object (sent as JSON) or a raw argument string (may be invalid JSON) */
  args: unknown;
  id?: string;
}

export interface ChatOptions {
  finishReason?: string;
  usage?: { prompt_tokens?: number; completion_tokens?: number; cached_tokens?: number };
  /** drop the connection right after the last content/arguments (the last argument piece withheld) */
  cut?: boolean;
  /** like `cut` but keep the connection open until the client leaves */
  hold?: boolean;
  /** at the cut point send `data: {"error": …}` with this message, then [DONE] */
  streamError?: { message: string; code?: number };
  /** leave out the final `data: [DONE]` */
  noDone?: boolean;
  chunkSize?: number;
}

export type FakeChatReply =
  | ({ kind: "chat"; text?: string; reasoning?: string; toolCalls?: FakeToolCall[] } & ChatOptions)
  | { kind: "http_error"; status: number; message: string; headers?: Record<string, string> }
  /** a 200 (`text/event-stream` unless `contentType` says otherwise) whose body is exactly `chunks`, written `delayMs` apart, then ended */
  | { kind: "raw"; chunks: string[]; delayMs?: number; contentType?: string };

let seq = 0;
const httpError = (status: number, message: string, headers?: Record<string, string>): FakeChatReply =>
  headers ? { kind: "http_error", status, message, headers } : { kind: "http_error", status, message };

export const oai = {
  text: (text: string, o: ChatOptions & { reasoning?: string } = {}): FakeChatReply => ({ kind: "chat", text, ...o }),
  toolCall: (name: string, args: unknown, o: ChatOptions & { id?: string; text?: string } = {}): FakeChatReply =>
    oai.toolCalls([{ name, args, ...(o.id ? { id: o.id } : {}) }], o),
  toolCalls: (calls: FakeToolCall[], o: ChatOptions & { text?: string } = {}): FakeChatReply => ({ kind: "chat", toolCalls: calls, ...o }),
  error: httpError,
  rateLimited: (retryAfter?: number | string) => httpError(429, "Rate limit reached", retryAfter === undefined ? undefined : { "retry-after": String(retryAfter) }),
  serverError: (status = 500) => httpError(status, "The server had an error while processing your request"),
  badRequest: (message = "invalid request") => httpError(400, message),
  raw: (chunks: string[], delayMs = 0, contentType?: string): FakeChatReply => ({ kind: "raw", chunks, delayMs, ...(contentType ? { contentType } : {}) }),
};

const argText = (c: FakeToolCall) => (typeof c.args === "string" ? c.args : JSON.stringify(c.args ?? {}));
const callId = (c: FakeToolCall, i: number) => c.id ?? `call_fake_${++seq}_${i}`;

function finishOf(r: Extract<FakeChatReply, { kind: "chat" }>): string {
  return r.finishReason ?? (r.toolCalls?.length ? "tool_calls" : "stop");
}

function usageOf(r: Extract<FakeChatReply, { kind: "chat" }>, req: RecordedRequest) {
  const prompt = r.usage?.prompt_tokens ?? Math.max(1, Math.ceil(JSON.stringify(req.body?.messages ?? []).length / 4));
  const out = (r.text?.length ?? 0) + (r.toolCalls ?? []).reduce((n, c) => n + argText(c).length, 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: r.usage?.completion_tokens ?? Math.max(1, Math.ceil(out / 4)),
    total_tokens: 0,
    prompt_tokens_details: { cached_tokens: r.usage?.cached_tokens ?? 0 },
  };
}

export function chatFrames(r: Extract<FakeChatReply, { kind: "chat" }>, req: RecordedRequest): { frames: SseFrame[]; cutAt: number } {
  const model = String(req.body?.model ?? "fake-model");
  const base = { id: `chatcmpl-fake-${++seq}`, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model };
  const frames: SseFrame[] = [];
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    frames.push({ data: JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] }) });
  const size = r.chunkSize ?? 8;
  chunk({ role: "assistant", content: "" });
  if (r.reasoning) for (const p of splitText(r.reasoning, size, 1)) chunk({ reasoning_content: p });
  if (r.text) for (const p of splitText(r.text, size, 1)) chunk({ content: p });
  let cutAt = frames.length;
  const calls = r.toolCalls ?? [];
  calls.forEach((c, index) => {
    chunk({ tool_calls: [{ index, id: callId(c, index), type: "function", function: { name: c.name, arguments: "" } }] });
    const ps = splitText(argText(c), size, 2);
    ps.forEach((p, i) => {
      if (index === calls.length - 1 && i === ps.length - 1) cutAt = frames.length;
      chunk({ tool_calls: [{ index, function: { arguments: p } }] });
    });
  });
  if (calls.length === 0) cutAt = frames.length;
  chunk({}, finishOf(r));
  frames.push({ data: JSON.stringify({ ...base, choices: [], usage: usageOf(r, req) }) });
  if (!r.noDone) frames.push({ data: "[DONE]" });
  return { frames, cutAt };
}

function nonStreaming(r: Extract<FakeChatReply, { kind: "chat" }>, req: RecordedRequest): unknown {
  const calls = (r.toolCalls ?? []).map((c, i) => ({ id: callId(c, i), type: "function", function: { name: c.name, arguments: argText(c) } }));
  return {
    id: `chatcmpl-fake-${++seq}`,
    object: "chat.completion",
    model: req.body?.model,
    choices: [{ index: 0, message: { role: "assistant", content: r.text ?? null, ...(calls.length ? { tool_calls: calls } : {}) }, finish_reason: finishOf(r) }],
    usage: usageOf(r, req),
  };
}

export const echoChat = (req: RecordedRequest): FakeChatReply => oai.text(lastUserText(req) || "(nothing to echo)");

async function answer(r: FakeChatReply | undefined, req: RecordedRequest, raw: IncomingMessage, res: ServerResponse, apiKey: string | undefined): Promise<void> {
  const err = (status: number, message: string, headers?: Record<string, string>) =>
    json(res, status, { error: { message, type: status === 429 ? "rate_limit_exceeded" : "invalid_request_error", code: null } }, headers);
  if (req.method === "GET" && /^(\/v1)?\/models$/.test(req.path)) {
    if (apiKey !== undefined && req.headers.authorization !== `Bearer ${apiKey}`) return err(401, "Incorrect API key provided");
    return json(res, 200, { object: "list", data: [{ id: "fake-model", object: "model", created: 1735689600, owned_by: "fake" }] });
  }
  if (req.method !== "POST" || !/^(\/v1)?\/chat\/completions$/.test(req.path)) return err(404, `fake-openai: no route ${req.method} ${req.path}`);
  if (apiKey !== undefined && req.headers.authorization !== `Bearer ${apiKey}`) return err(401, "Incorrect API key provided");
  if (!Array.isArray(req.body?.messages) || typeof req.body?.model !== "string") return err(400, "model and messages are required");
  if (!r) return err(400, "fake-openai: no reply queued");
  if (r.kind === "http_error") return err(r.status, r.message, r.headers);
  if (r.kind === "raw") return playRaw(res, r.chunks, r.delayMs ?? 0, r.contentType);
  if (req.body.stream !== true) return json(res, 200, nonStreaming(r, req));
  const { frames, cutAt } = chatFrames(r, req);
  const streamError = r.streamError ? [{ data: JSON.stringify({ error: { message: r.streamError.message, code: r.streamError.code ?? 502 } }) }, { data: "[DONE]" }] : undefined;
  return playReply(raw, res, frames, cutAt, r, streamError);
}

async function playRaw(res: ServerResponse, chunks: string[], delayMs: number, contentType = "text/event-stream"): Promise<void> {
  res.writeHead(200, { "content-type": contentType, "cache-control": "no-cache" });
  for (const c of chunks) {
    if (res.destroyed) return;
    res.write(c);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  }
  res.end();
}

/** `apiKey` is matched against `Authorization: Bearer …`. */
export type FakeOpenAIOptions = ModelFakeOptions<FakeChatReply>;
export type FakeOpenAI = ScriptedFake<FakeChatReply>;

export function startFakeOpenAI(opts: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  return startScriptedFake({ answer, echo: echoChat, isApiPath: (path) => path.endsWith("/chat/completions") }, opts);
}

/** `bun test/fakes/openai.ts [--port N]`: prints `FAKE_OPENAI_URL=<url>`, echoes until SIGTERM. */
export function main(argv: string[] = process.argv.slice(2)): Promise<FakeOpenAI> {
  return serveFromCli((port) => startFakeOpenAI({ port, fallback: "echo" }), "FAKE_OPENAI_URL", argv);
}

if ((import.meta as ImportMeta & { main?: boolean }).main) await main();
