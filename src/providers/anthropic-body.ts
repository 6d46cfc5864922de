/**
 * The Messages API request body as JSON text, built so that a turn maps and serializes only its new
 * messages, not the history (anthropic-map.ts `mapMessages` semantics): the joined JSON of the list
 * sent last time is kept per conversation, weakly, and reused when the next list starts with the
 * same message objects (a message whose `content` array was replaced since invalidates it). Memory:
 * one string per cached conversation, about the size of its messages' JSON, alive exactly as long
 * as the history cache holds the session. The one part that changes from request to request — the
 * `cache_control` breakpoint on the last block of a final user turn — is mapped fresh. Tool
 * definitions are kept per tool object. The result parses to exactly what
 * `JSON.stringify(toAnthropicParams(request))` gives.
 */
import type { Message } from "../core/messages.ts";
import { mapMessages, mapTools, toAnthropicParams } from "./anthropic-map.ts";
import type { ProviderRequest, ToolSpec } from "./types.ts";

const toolJson = new WeakMap<ToolSpec, string>();
const TRAILER: Message = { role: "assistant", content: [{ type: "text", text: "." }] };

/** One message's JSON (no cache breakpoint), or "" when the API would get an empty turn (skipped). */
function jsonOf(m: Message): string {
  // mapMessages puts a cache breakpoint on a last user message: a trailing assistant turn keeps it off
  const mapped = mapMessages([{ role: m.role, content: m.content }, TRAILER]);
  return mapped.length === 2 ? JSON.stringify(mapped[0]) : "";
}

function toolsJson(tools: ToolSpec[]): string {
  if (tools.length === 0) return "";
  const parts: string[] = [];
  for (let i = 0; i < tools.length; i++) {
    const t = tools[i]!;
    let json = toolJson.get(t);
    if (json === undefined) {
      const one = mapTools({ tools: [t] } as ProviderRequest)[0]!;
      delete one.cache_control;
      json = JSON.stringify(one);
      toolJson.set(t, json);
    }
    parts.push(i === tools.length - 1 ? `${json.slice(0, -1)},"cache_control":{"type":"ephemeral"}}` : json);
  }
  return parts.join(",");
}

/**
 * The joined JSON of a message list sent before, kept per conversation (keyed weakly by its first
 * message, so it lives exactly as long as the history cache holds that session): the next request
 * of the conversation repeats that list plus new messages, and only the new ones are joined.
 */
interface Prefix {
  refs: Message[];
  /** the `content` array of each message when it was serialized: a replaced one invalidates */
  contents: Message["content"][];
  json: string;
}
const prefixes = new WeakMap<Message, Prefix>();

/** The messages' JSON joined with "," (the empty turns left out), reusing the prefix sent last time. */
function joinedJson(msgs: Message[], upto: number): string {
  const anchor = msgs[0];
  if (!anchor) return "";
  const prev = prefixes.get(anchor);
  let from = 0;
  let json = "";
  if (prev && prev.refs.length <= upto) {
    const refs = prev.refs;
    let same = true;
    for (let i = 0; i < refs.length; i++) {
      if (msgs[i] !== refs[i]) {
        same = false;
        break;
      }
    }
    for (let i = 0; same && i < refs.length; i++) if (refs[i]!.content !== prev.contents[i]) same = false;
    if (same) {
      from = refs.length;
      json = prev.json;
    }
  }
  for (let i = from; i < upto; i++) {
    const j = jsonOf(msgs[i]!);
    if (j !== "") json = json === "" ? j : `${json},${j}`;
  }
  if (upto > 0) {
    const refs = msgs.slice(0, upto);
    prefixes.set(anchor, { refs, contents: refs.map((m) => m.content), json });
  }
  return json;
}

/** The request body (JSON text) for `POST /v1/messages` with `stream: true`. */
export function anthropicBody(request: ProviderRequest): string {
  const msgs = request.messages;
  // the last non-empty turn, mapped once: with the cache breakpoint when it is the user's, exactly
  // as mapMessages places it; everything before it is a prefix the next request repeats
  let lastIndex = msgs.length - 1;
  let tail = "";
  for (; lastIndex >= 0; lastIndex--) {
    const m = msgs[lastIndex]!;
    const mapped = mapMessages([{ role: m.role, content: m.content }]);
    if (mapped.length > 0) {
      tail = JSON.stringify(mapped[0]);
      break;
    }
  }
  let body = joinedJson(msgs, Math.max(0, lastIndex));
  if (lastIndex >= 0) {
    body = body === "" ? tail : `${body},${tail}`;
  }
  const rest = toAnthropicParams({ ...request, messages: [], tools: [] }) as unknown as Record<string, unknown>;
  delete rest.messages;
  const head = JSON.stringify(rest);
  const tools = toolsJson(request.tools);
  return `{"messages":[${body}]${tools ? `,"tools":[${tools}]` : ""},${head.slice(1)}`;
}
