/**
 * Our request → an OpenAI chat-completions body. Tool results become `role: "tool"` messages
 * placed right after the assistant turn that called them (before any other user content of the
 * same turn); an error result is prefixed so the model can tell. Thinking blocks are not sent
 * (chat completions has no field for them). Images travel as data: URLs.
 */
import type { ContentBlock, Message } from "../core/messages.ts";
import type { ProviderRequest } from "./types.ts";

type Part = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };
export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string | Part[] }
  | { role: "assistant"; content: string | null; tool_calls?: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }> }
  | { role: "tool"; tool_call_id: string; content: string };

function userParts(blocks: ContentBlock[]): Part[] {
  return blocks.flatMap((b): Part[] => {
    if (b.type === "text" && b.text) return [{ type: "text", text: b.text }];
    if (b.type === "image") return [{ type: "image_url", image_url: { url: `data:${b.mediaType};base64,${b.data}` } }];
    return [];
  });
}

function mapUser(m: Message): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const b of m.content) {
    if (b.type !== "tool_result") continue;
    const text = b.content.map((c) => (c.type === "text" ? c.text : `[image ${c.mediaType} omitted]`)).join("\n");
    out.push({ role: "tool", tool_call_id: b.toolUseId, content: b.isError ? `[tool error] ${text}` : text });
  }
  const parts = userParts(m.content);
  if (parts.length > 0) {
    const onlyText = parts.every((p) => p.type === "text");
    out.push({ role: "user", content: onlyText ? parts.map((p) => (p as { text: string }).text).join("\n") : parts });
  }
  return out;
}

function mapAssistant(m: Message): ChatMessage[] {
  const text = m.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("");
  const calls = m.content.flatMap((b) =>
    b.type === "tool_use" ? [{ id: b.id, type: "function" as const, function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } }] : [],
  );
  if (!text && calls.length === 0) return [];
  const msg: ChatMessage = { role: "assistant", content: text || null };
  if (calls.length > 0) msg.tool_calls = calls;
  return [msg];
}

export function toChatMessages(request: ProviderRequest): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (request.system) out.push({ role: "system", content: request.system });
  for (const m of request.messages) out.push(...(m.role === "user" ? mapUser(m) : mapAssistant(m)));
  return out;
}

export interface BodyOptions {
  /** `max_completion_tokens` for api.openai.com (newer models refuse `max_tokens`), else `max_tokens` */
  maxTokensField: "max_tokens" | "max_completion_tokens";
}

export function toChatBody(request: ProviderRequest, model: string, opts: BodyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model,
    messages: toChatMessages(request),
    stream: true,
    stream_options: { include_usage: true },
    [opts.maxTokensField]: request.maxTokens,
  };
  if (request.tools.length > 0) {
    body.tools = request.tools.map((t) => ({
      type: "function",
      function: { name: t.name, description: t.description, parameters: { type: "object", ...t.inputSchema } },
    }));
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  return body;
}
