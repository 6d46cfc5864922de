/**
 * OpenAI-compatible endpoints: `POST /v1/chat/completions` (stream and not) and `GET /v1/models`.
 * `model` names an agent: `openclaw` (the default agent) or `openclaw/<agentId>`. The session is
 * the `x-openclaw-session-key` header, else `agent:<id>:openai:<user>` when `user` is given, else
 * a fresh session per request. The last user message is the input; the agent keeps its own
 * history, so earlier messages in the request are not replayed.
 */
import type { Hono } from "hono";
import { z } from "zod";
import type { AgentEvent, RunHandle } from "../agent/types.ts";
import { httpStatusOf } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import type { GatewayEnv } from "./app.ts";
import { clientError, clientRunError, INTERNAL_MESSAGE } from "./client-error.ts";
import type { Gateway } from "./gateway.ts";
import { readBodyText } from "../core/body.ts";
import { parseJson } from "../core/json.ts";

const ContentPart = z.object({ type: z.string(), text: z.string().optional() });
const ChatMessage = z.object({
  role: z.string(),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
});
const CompletionRequest = z.object({
  model: z.string().min(1).max(200),
  messages: z.array(ChatMessage).min(1).max(10_000),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  user: z.string().min(1).max(256).nullish(),
});

export function openAiError(status: number, message: string, type: string, code: string | null = null): Response {
  return Response.json({ error: { message, type, param: null, code } }, { status });
}

function errorResponse(err: unknown): Response {
  const status = httpStatusOf(err);
  const message = clientError(err).message;
  const type = status === 401 ? "authentication_error" : status === 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
  return openAiError(status, message, type);
}

/** `openclaw` → main, `openclaw/<id>` → id; anything else is not ours. */
export function agentForModel(model: string): string | null {
  if (model === "openclaw") return "main";
  const m = /^openclaw\/([A-Za-z0-9_-]{1,64})$/.exec(model);
  return m ? m[1]! : null;
}

function agentIds(gw: Gateway): string[] {
  return ["main", ...Object.keys(gw.config().agents.entries).filter((id) => id !== "main" && /^[A-Za-z0-9_-]{1,64}$/.test(id))];
}

function lastUserText(messages: z.infer<typeof ChatMessage>[]): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== "user") continue;
    if (typeof m.content === "string") return m.content;
    if (Array.isArray(m.content)) return m.content.flatMap((p) => (p.type === "text" && p.text ? [p.text] : [])).join("\n");
    return "";
  }
  return null;
}

const finishReason = (outcome: string): string => (outcome === "limit" ? "length" : "stop");
const usageOf = (u: { inputTokens: number; outputTokens: number }) => ({
  prompt_tokens: u.inputTokens,
  completion_tokens: u.outputTokens,
  total_tokens: u.inputTokens + u.outputTokens,
});

export function registerOpenAi(app: Hono<GatewayEnv>, gw: Gateway): void {
  app.get("/v1/models", () => {
    const created = Math.floor(gw.startedAt / 1000);
    const data = ["openclaw", ...agentIds(gw).map((id) => `openclaw/${id}`)].map((id) => ({ id, object: "model", created, owned_by: "openclaw" }));
    return Response.json({ object: "list", data });
  });

  app.get("/v1/models/:id{.+}", (c) => {
    const id = c.req.param("id");
    const agent = agentForModel(id);
    if (!agent || !agentIds(gw).includes(agent)) return openAiError(404, `model ${id} not found; use openclaw or openclaw/<agentId>`, "invalid_request_error", "model_not_found");
    return Response.json({ id, object: "model", created: Math.floor(gw.startedAt / 1000), owned_by: "openclaw" });
  });

  app.post("/v1/chat/completions", async (c) => {
    let body: z.infer<typeof CompletionRequest>;
    try {
      const parsed = parseJson(await readBodyText(c.req.raw, gw.config().gateway.limits.maxBodyBytes), gw.config().gateway.limits.maxJsonDepth);
      if (!parsed.ok) return openAiError(400, parsed.reason === "depth" ? parsed.message : "the body is not valid JSON", "invalid_request_error");
      const r = CompletionRequest.safeParse(parsed.value);
      if (!r.success) return openAiError(400, `invalid request: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, "invalid_request_error");
      body = r.data;
    } catch (err) {
      return errorResponse(err);
    }
    const agentId = agentForModel(body.model);
    if (!agentId || !agentIds(gw).includes(agentId)) {
      return openAiError(404, `model ${body.model} not found; models: openclaw, ${agentIds(gw).map((id) => `openclaw/${id}`).join(", ")}`, "invalid_request_error", "model_not_found");
    }
    const text = lastUserText(body.messages);
    if (!text) return openAiError(400, "messages must contain a user message with text", "invalid_request_error");
    const header = c.req.header("x-openclaw-session-key");
    const sessionKey = header ? header.slice(0, 512) : body.user ? `agent:${agentId}:openai:${body.user}` : `agent:${agentId}:openai:${newId("ses")}`;

    let handle: RunHandle;
    try {
      handle = await gw.runs.start({ sessionKey, agentId, text, channel: "openai" });
    } catch (err) {
      return errorResponse(err);
    }
    const id = `chatcmpl-${handle.runId}`;
    const created = Math.floor(Date.now() / 1000);
    const headers = { "x-openclaw-session-key": handle.sessionKey, "x-openclaw-run-id": handle.runId };

    if (!body.stream) {
      const res = await handle.done;
      if (res.outcome === "error") return openAiError(502, await runFailure(handle), "server_error", "provider_error");
      return Response.json(
        {
          id,
          object: "chat.completion",
          created,
          model: body.model,
          choices: [{ index: 0, message: { role: "assistant", content: res.text, refusal: null }, logprobs: null, finish_reason: finishReason(res.outcome) }],
          usage: usageOf(res.usage),
        },
        { headers },
      );
    }
    return new Response(sseStream(gw, handle, { id, created, model: body.model, includeUsage: body.stream_options?.include_usage === true }), {
      headers: { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" },
    });
  });
}

/** The safe message of a failed run: from its `error` event (never the raw `reason`, which may quote internals). */
async function runFailure(handle: RunHandle): Promise<string> {
  for await (const ev of handle.events) if (ev.type === "error") return clientRunError(ev.error).message;
  return INTERNAL_MESSAGE;
}

function sseStream(gw: Gateway, handle: RunHandle, meta: { id: string; created: number; model: string; includeUsage: boolean }): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
    enc.encode(`data: ${JSON.stringify({ id: meta.id, object: "chat.completion.chunk", created: meta.created, model: meta.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`);
  const iterator = handle.events[Symbol.asyncIterator]();
  let started = false;
  let finished = false;
  let failure = INTERNAL_MESSAGE;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(chunk({ role: "assistant", content: "" }, null));
      }
      for (;;) {
        const next = await iterator.next();
        if (next.done) {
          if (!finished) controller.enqueue(enc.encode("data: [DONE]\n\n"));
          controller.close();
          return;
        }
        const ev: AgentEvent = next.value;
        if (ev.type === "error") failure = clientRunError(ev.error).message;
        if (ev.type === "text_delta" && ev.text) {
          controller.enqueue(chunk({ content: ev.text }, null));
          return;
        }
        if (ev.type === "final") {
          finished = true;
          if (ev.outcome === "error") {
            controller.enqueue(enc.encode(`data: ${JSON.stringify({ error: { message: failure, type: "server_error", code: "provider_error" } })}\n\n`));
          } else {
            controller.enqueue(chunk({}, finishReason(ev.outcome)));
            if (meta.includeUsage) {
              controller.enqueue(enc.encode(`data: ${JSON.stringify({ id: meta.id, object: "chat.completion.chunk", created: meta.created, model: meta.model, choices: [], usage: usageOf(ev.usage) })}\n\n`));
            }
          }
          controller.enqueue(enc.encode("data: [DONE]\n\n"));
          controller.close();
          return;
        }
      }
    },
    cancel() {
      // The client went away: stop the run rather than spend tokens nobody reads.
      gw.runtime.abort({ runId: handle.runId });
      void iterator.return?.();
    },
  });
}
