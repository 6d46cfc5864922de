/**
 * A fake Anthropic Messages API on 127.0.0.1: `POST /v1/messages`, streaming (SSE with
 * message_start, ping, content_block_start/delta/stop, message_delta, message_stop) and
 * non-streaming JSON, and `GET /v1/models` (one model). Scripted per test with a queue of replies built by `reply.*`; records every
 * request (body and headers). With `fallback: "echo"` an empty queue answers with the last user text.
 *
 *   const fake = await startFakeAnthropic();
 *   fake.enqueue(reply.toolUse("exec", { command: "ls" }), reply.text("done"));
 *   new AnthropicProvider({ apiKey, baseURL: fake.url }) …; fake.requests[0].body.tools …
 *   await fake.stop();
 *
 * From another process: `bun test/fakes/anthropic.ts --port 0` prints `FAKE_ANTHROPIC_URL=<url>`
 * and echoes; `POST <url>/_fake/enqueue` with a reply object scripts it, `GET /_fake/requests` reads.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { json, lastUserText, playReply, serveFromCli, splitText, startScriptedFake, type RecordedRequest, type ModelFakeOptions, type ScriptedFake, type SseFrame } from "./http-fake.ts";

export type { RecordedRequest } from "./http-fake.ts";

export type FakeBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string }
  /** `rawJson` sends that text as the input instead of `JSON.stringify(input)` (may be invalid) */
  | { type: "tool_use"; id: string; name: string; input?: unknown; rawJson?: string };

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export interface MessageOptions {
  stopReason?: string;
  usage?: Partial<FakeUsage>;
  model?: string;
  /** drop the connection right after the last block's deltas (a tool_use's last JSON piece withheld) */
  cut?: boolean;
  /** like `cut`, but keep the connection open until the client goes away (for abort tests) */
  hold?: boolean;
  /** at the cut point send an SSE `error` event of this type, then end the response */
  streamError?: string;
  /** characters per text/thinking delta (default 8) */
  chunkSize?: number;
  /** ms between SSE frames (default 0) */
  delayMs?: number;
}

export type FakeReply =
  | ({ kind: "message"; blocks: FakeBlock[] } & MessageOptions)
  | { kind: "http_error"; status: number; errorType: string; message: string; headers?: Record<string, string> };

let toolSeq = 0;
const toolId = () => `toolu_fake_${String(++toolSeq).padStart(4, "0")}`;
const msg = (blocks: FakeBlock[], o: MessageOptions = {}): FakeReply => ({ kind: "message", blocks, ...o });
const httpError = (status: number, errorType: string, message: string, headers?: Record<string, string>): FakeReply =>
  headers ? { kind: "http_error", status, errorType, message, headers } : { kind: "http_error", status, errorType, message };

export interface ToolCallSpec {
  name: string;
  input: unknown;
  id?: string;
}

export const reply = {
  message: msg,
  text: (text: string, o?: MessageOptions) => msg([{ type: "text", text }], o),
  toolUse: (name: string, input: unknown, o: MessageOptions & { id?: string; text?: string } = {}) =>
    reply.toolUses([{ name, input, ...(o.id ? { id: o.id } : {}) }], o),
  /** several tool calls in one turn (parallel tool use), optionally after some text */
  toolUses: (calls: ToolCallSpec[], o: MessageOptions & { text?: string } = {}) =>
    msg([...(o.text ? [{ type: "text" as const, text: o.text }] : []), ...calls.map((c) => ({ type: "tool_use" as const, id: c.id ?? toolId(), name: c.name, input: c.input }))], o),
  thinking: (thinking: string, text: string, o: MessageOptions & { signature?: string } = {}) =>
    msg([{ type: "thinking", thinking, signature: o.signature ?? `sig_${thinking.length}_fake` }, { type: "text", text }], o),
  /** a tool_use whose streamed input is `rawJson` verbatim (e.g. invalid JSON) */
  invalidToolJson: (name: string, rawJson = '{"command": "ls",', o?: MessageOptions) => msg([{ type: "tool_use", id: toolId(), name, rawJson }], o),
  error: httpError,
  /** 429 rate_limit_error; `retryAfter` in seconds (number) or any header value (HTTP date) */
  rateLimited: (retryAfter?: number | string, headers: Record<string, string> = {}) =>
    httpError(429, "rate_limit_error", "Number of request tokens has exceeded your rate limit", retryAfter === undefined ? headers : { "retry-after": String(retryAfter), ...headers }),
  overloaded: () => httpError(529, "overloaded_error", "Overloaded"),
  serverError: (status = 500) => httpError(status, "api_error", "Internal server error"),
  badRequest: (message = "messages: field required") => httpError(400, "invalid_request_error", message),
  unauthorized: () => httpError(401, "authentication_error", "invalid x-api-key"),
  /** a 200 stream that sends `text` and then an SSE `error` event (e.g. overloaded mid-stream) */
  streamError: (errorType = "overloaded_error", text = "") => msg(text ? [{ type: "text", text }] : [], { streamError: errorType }),
};

const toolJson = (b: Extract<FakeBlock, { type: "tool_use" }>) => b.rawJson ?? JSON.stringify(b.input ?? {});

function finalUsage(r: Extract<FakeReply, { kind: "message" }>, req: RecordedRequest): FakeUsage {
  const out = r.blocks.reduce((n, b) => n + (b.type === "text" ? b.text.length : b.type === "thinking" ? b.thinking.length : b.type === "tool_use" ? toolJson(b).length : 0), 0);
  return {
    input_tokens: Math.max(1, Math.ceil(JSON.stringify(req.body?.messages ?? []).length / 4)),
    output_tokens: Math.max(1, Math.ceil(out / 4)),
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
    ...r.usage,
  };
}

function stopReasonOf(r: Extract<FakeReply, { kind: "message" }>): string {
  return r.stopReason ?? (r.blocks.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn");
}

/** SSE frames of a message reply, and the index where `cut`/`hold`/`streamError` take effect. */
export function messageFrames(r: Extract<FakeReply, { kind: "message" }>, req: RecordedRequest): { frames: SseFrame[]; cutAt: number } {
  const usage = finalUsage(r, req);
  const model = r.model ?? String(req.body?.model ?? "claude-fake");
  const size = r.chunkSize ?? 8;
  const frames: SseFrame[] = [];
  const ev = (event: string, data: Record<string, unknown>) => frames.push({ event, data: JSON.stringify({ type: event, ...data }) });
  ev("message_start", {
    message: { id: `msg_fake_${Date.now()}`, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  });
  ev("ping", {});
  let cutAt = frames.length;
  r.blocks.forEach((b, index) => {
    const last = index === r.blocks.length - 1;
    const delta = (d: Record<string, unknown>) => ev("content_block_delta", { index, delta: d });
    if (b.type === "text") {
      ev("content_block_start", { index, content_block: { type: "text", text: "" } });
      for (const c of splitText(b.text, size)) delta({ type: "text_delta", text: c });
    } else if (b.type === "thinking") {
      ev("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } });
      for (const c of splitText(b.thinking, size)) delta({ type: "thinking_delta", thinking: c });
      delta({ type: "signature_delta", signature: b.signature });
    } else if (b.type === "redacted_thinking") {
      ev("content_block_start", { index, content_block: { type: "redacted_thinking", data: b.data } });
    } else {
      ev("content_block_start", { index, content_block: { type: "tool_use", id: b.id, name: b.name, input: {} } });
      const pieces = splitText(toolJson(b), size, 2);
      pieces.forEach((c, i) => {
        if (last && i === pieces.length - 1) cutAt = frames.length; // withhold the last piece when cut
        delta({ type: "input_json_delta", partial_json: c });
      });
    }
    if (!(last && b.type === "tool_use")) cutAt = frames.length;
    ev("content_block_stop", { index });
  });
  ev("message_delta", { delta: { stop_reason: stopReasonOf(r), stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  ev("message_stop", {});
  return { frames, cutAt };
}

function nonStreaming(r: Extract<FakeReply, { kind: "message" }>, req: RecordedRequest): unknown {
  return {
    id: `msg_fake_${Date.now()}`,
    type: "message",
    role: "assistant",
    model: r.model ?? req.body?.model,
    content: r.blocks.map((b) => (b.type === "tool_use" ? { type: "tool_use", id: b.id, name: b.name, input: b.input ?? {} } : b)),
    stop_reason: stopReasonOf(r),
    stop_sequence: null,
    usage: finalUsage(r, req),
  };
}

/** The API key a request carried: `x-api-key`, or `Authorization: Bearer …` (what SDK 1.x sends). */
export function keyOf(req: RecordedRequest): string | undefined {
  return req.headers["x-api-key"] ?? /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
}

export const echoReply = (req: RecordedRequest): FakeReply => reply.text(lastUserText(req) || "(nothing to echo)");

async function answer(r: FakeReply | undefined, req: RecordedRequest, raw: IncomingMessage, res: ServerResponse, apiKey: string | undefined): Promise<void> {
  const err = (status: number, type: string, message: string, headers?: Record<string, string>) =>
    json(res, status, { type: "error", error: { type, message } }, { "request-id": `req_fake_${Date.now()}`, ...headers });
  if (req.method === "GET" && req.path === "/v1/models") return listModels(req, res, apiKey, err);
  if (req.method !== "POST" || req.path !== "/v1/messages") return err(404, "not_found_error", `fake-anthropic: no route ${req.method} ${req.path}`);
  const key = keyOf(req);
  if (!key || (apiKey !== undefined && key !== apiKey)) return err(401, "authentication_error", "invalid x-api-key");
  if (!req.headers["anthropic-version"]) return err(400, "invalid_request_error", "anthropic-version header is required");
  if (typeof req.body?.max_tokens !== "number" || !Array.isArray(req.body?.messages)) return err(400, "invalid_request_error", "max_tokens and messages are required");
  if (!r) return err(400, "invalid_request_error", "fake-anthropic: no reply queued");
  if (r.kind === "http_error") return err(r.status, r.errorType, r.message, r.headers);
  if (req.body.stream !== true) return json(res, 200, nonStreaming(r, req));
  const { frames, cutAt } = messageFrames(r, req);
  const streamError = r.streamError ? [{ event: "error", data: JSON.stringify({ type: "error", error: { type: r.streamError, message: r.streamError } }) }] : undefined;
  return playReply(raw, res, frames, cutAt, r, streamError);
}

/** `GET /v1/models` (the SDK's `models.list`, what onboarding's key check calls): one fake model, after the same key check. */
function listModels(req: RecordedRequest, res: ServerResponse, apiKey: string | undefined, err: (status: number, type: string, message: string) => void): void {
  const key = keyOf(req);
  if (!key || (apiKey !== undefined && key !== apiKey)) return err(401, "authentication_error", "invalid x-api-key");
  const model = { type: "model", id: "claude-fake", display_name: "Claude (fake)", created_at: "2025-01-01T00:00:00Z" };
  json(res, 200, { data: [model], has_more: false, first_id: model.id, last_id: model.id });
}

/** `apiKey` is matched against `x-api-key` or `Authorization: Bearer …`. */
export type FakeAnthropicOptions = ModelFakeOptions<FakeReply>;
export type FakeAnthropic = ScriptedFake<FakeReply>;

export function startFakeAnthropic(opts: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  return startScriptedFake({ answer, echo: echoReply, isApiPath: (path) => path === "/v1/messages" }, opts);
}

/** `bun test/fakes/anthropic.ts [--port N]`: prints `FAKE_ANTHROPIC_URL=<url>`, echoes until SIGTERM. */
export function main(argv: string[] = process.argv.slice(2)): Promise<FakeAnthropic> {
  return serveFromCli((port) => startFakeAnthropic({ port, fallback: "echo" }), "FAKE_ANTHROPIC_URL", argv);
}

if ((import.meta as ImportMeta & { main?: boolean }).main) await main();
