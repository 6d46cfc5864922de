/**
 * Our provider-neutral request → the Messages API request body. Prompt caching: `cache_control`
 * breakpoints on the system prompt, on the last tool (caches the whole tool list) and on the last
 * block of the final user turn (caches the conversation prefix for the next step of a tool loop).
 * Thinking blocks go back only with their signature (the API rejects unsigned ones); a redacted
 * thinking block is kept as a `ThinkingBlock` with empty text and a `redacted:` signature prefix.
 */
import type {
  ContentBlockParam,
  MessageCreateParamsStreaming,
  MessageParam,
  TextBlockParam,
  Tool,
} from "@anthropic-ai/sdk/resources/messages";
import type { ContentBlock, Message } from "../core/messages.ts";
import type { ProviderRequest } from "./types.ts";

export const REDACTED_PREFIX = "redacted:";
const EPHEMERAL = { type: "ephemeral" } as const;

function mapBlock(block: ContentBlock): ContentBlockParam | undefined {
  switch (block.type) {
    case "text":
      return block.text.length > 0 ? { type: "text", text: block.text } : undefined;
    case "image":
      return { type: "image", source: { type: "base64", media_type: block.mediaType, data: block.data } };
    case "thinking":
      if (!block.signature) return undefined;
      if (block.signature.startsWith(REDACTED_PREFIX)) return { type: "redacted_thinking", data: block.signature.slice(REDACTED_PREFIX.length) };
      return { type: "thinking", thinking: block.text, signature: block.signature };
    case "tool_use":
      return { type: "tool_use", id: block.id, name: block.name, input: block.input ?? {} };
    case "tool_result":
      return {
        type: "tool_result",
        tool_use_id: block.toolUseId,
        is_error: block.isError,
        content: block.content.map((c) =>
          c.type === "text"
            ? { type: "text" as const, text: c.text.length > 0 ? c.text : "(empty)" }
            : { type: "image" as const, source: { type: "base64" as const, media_type: c.mediaType, data: c.data } },
        ),
      };
  }
}

export function mapMessages(messages: Message[]): MessageParam[] {
  const out: MessageParam[] = [];
  for (const m of messages) {
    const content = m.content.map(mapBlock).filter((b): b is ContentBlockParam => b !== undefined);
    if (content.length === 0) continue; // the API rejects empty turns
    out.push({ role: m.role, content });
  }
  const last = out.at(-1);
  if (last?.role === "user" && Array.isArray(last.content)) {
    const tail = last.content.at(-1);
    if (tail && (tail.type === "text" || tail.type === "tool_result" || tail.type === "image")) {
      last.content[last.content.length - 1] = { ...tail, cache_control: EPHEMERAL };
    }
  }
  return out;
}

export function mapTools(request: ProviderRequest): Tool[] {
  return request.tools.map((t, i, all) => {
    const tool: Tool = {
      name: t.name,
      description: t.description,
      input_schema: { type: "object", ...t.inputSchema } as Tool["input_schema"],
    };
    if (i === all.length - 1) tool.cache_control = EPHEMERAL;
    return tool;
  });
}

export function toAnthropicParams(request: ProviderRequest): MessageCreateParamsStreaming {
  const params: MessageCreateParamsStreaming = {
    model: request.model,
    max_tokens: request.maxTokens,
    messages: mapMessages(request.messages),
    stream: true,
  };
  if (request.system.length > 0) {
    const system: TextBlockParam[] = [{ type: "text", text: request.system, cache_control: EPHEMERAL }];
    params.system = system;
  }
  if (request.tools.length > 0) params.tools = mapTools(request);
  if (request.thinking) {
    const budget = request.thinking.budgetTokens;
    params.thinking = { type: "enabled", budget_tokens: budget };
    // the budget counts toward max_tokens and must be below it
    if (request.maxTokens <= budget) params.max_tokens = budget + request.maxTokens;
  } else if (request.temperature !== undefined) {
    // the API refuses a temperature together with thinking; newer SDK types no longer list the field
    (params as MessageCreateParamsStreaming & { temperature?: number }).temperature = request.temperature;
  }
  return params;
}
