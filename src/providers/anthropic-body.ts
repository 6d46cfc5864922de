/**
 * The Messages API request body as JSON text, built so that a turn maps and serializes only its new
 * messages, not the history (anthropic-map.ts `mapMessages` semantics): the joined JSON of the list
 * sent last time is kept per conversation (as bytes), weakly, and reused when the next list starts with the
 * same message objects (a message whose `content` array was replaced since invalidates it). Memory:
 * one byte buffer per cached conversation, its messages' JSON plus up to half again as room to
 * grow, alive exactly as long as the history cache holds the session. The one part that changes from request to request — the
 * `cache_control` breakpoint on the last block of a final user turn — is mapped fresh. Tool
 * definitions are kept per tool object. The result (UTF-8 bytes, handed to the SDK as is; valid
 * until the next body of the same conversation) parses to exactly what
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
 * The joined JSON of a message list sent before, as UTF-8 bytes, kept per conversation (keyed
 * weakly by its first message, so it lives exactly as long as the history cache holds that
 * session): the next request of the conversation repeats that list plus new messages, and only the
 * new ones are serialized and appended in place. Bytes rather than a string: a string joined turn
 * after turn is a rope the engine flattens, and fetch encodes it to UTF-8, on every request — two
 * passes over the whole history per turn. The body handed out is a view of this buffer (decision 124).
 */
interface Prefix {
  refs: Message[];
  /** the `content` array of each message when it was serialized: a replaced one invalidates */
  contents: Message["content"][];
  /** `buf[0, OPEN.length)` is `{"messages":[`, then `length` bytes of joined JSON; the rest is room */
  buf: Uint8Array<ArrayBuffer>;
  length: number;
}
const prefixes = new WeakMap<Message, Prefix>();
const encoder = new TextEncoder();
const OPEN = encoder.encode('{"messages":[');
/** The body is a view of the kept buffer once the prefix is this many times the request's end (else a copy). */
const VIEW_RATIO = 4;

/** Room for `extra` more bytes after the joined JSON (grown by half again, the content copied once). */
function reserve(p: Prefix, extra: number): void {
  const used = OPEN.length + p.length;
  if (used + extra <= p.buf.length) return;
  const grown = new Uint8Array(Math.max(used + extra, Math.ceil(p.buf.length * 1.5), 256));
  grown.set(p.buf.subarray(0, used));
  p.buf = grown;
}

/** Past this many UTF-16 units a message is encoded first and room reserved for exactly its bytes. */
const EXACT_FROM = 16 * 1024;

function append(p: Prefix, json: string): void {
  if (json.length > EXACT_FROM) {
    // a large message (a tool result, a pasted file): reserving 3 bytes per unit would keep up to
    // twice its size as idle room for as long as the conversation is cached
    const bytes = encoder.encode(json);
    reserve(p, 1 + bytes.length);
    if (p.length > 0) p.buf[OPEN.length + p.length++] = 44; // ","
    p.buf.set(bytes, OPEN.length + p.length);
    p.length += bytes.length;
    return;
  }
  reserve(p, 1 + json.length * 3); // UTF-8 is at most 3 bytes per UTF-16 unit; the comma is one more
  if (p.length > 0) p.buf[OPEN.length + p.length++] = 44; // ","
  p.length += encoder.encodeInto(json, p.buf.subarray(OPEN.length + p.length)).written;
}

/** The messages' JSON joined with "," (the empty turns left out), reusing the prefix sent last time. */
function joinedJson(msgs: Message[], upto: number): Prefix | undefined {
  const anchor = msgs[0];
  if (!anchor || upto === 0) return undefined;
  let p = prefixes.get(anchor);
  if (p && p.refs.length <= upto) {
    const refs = p.refs;
    for (let i = 0; p && i < refs.length; i++) if (msgs[i] !== refs[i] || refs[i]!.content !== p.contents[i]) p = undefined;
  } else p = undefined;
  if (!p) {
    p = { refs: [], contents: [], buf: new Uint8Array(0), length: 0 };
    reserve(p, 0);
    p.buf.set(OPEN);
    prefixes.set(anchor, p);
  }
  for (let i = p.refs.length; i < upto; i++) {
    const m = msgs[i]!;
    const j = jsonOf(m);
    if (j !== "") append(p, j);
    p.refs.push(m);
    p.contents.push(m.content);
  }
  return p;
}

/** The request body (UTF-8 JSON) for `POST /v1/messages` with `stream: true`. */
export function anthropicBody(request: ProviderRequest): Uint8Array<ArrayBuffer> {
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
  const prefix = joinedJson(msgs, Math.max(0, lastIndex));
  const before = prefix?.length ?? 0;
  const rest = toAnthropicParams({ ...request, messages: [], tools: [] }) as unknown as Record<string, unknown>;
  delete rest.messages;
  const head = JSON.stringify(rest);
  const tools = toolsJson(request.tools);
  const end = encoder.encode(`${before > 0 && tail ? "," : ""}${tail}]${tools ? `,"tools":[${tools}]` : ""},${head.slice(1)}`);
  if (prefix && before >= end.length * VIEW_RATIO) {
    // A long conversation: the body is a view of the kept buffer with this request's end written
    // after the prefix, so the history is not copied per turn. It stays valid until the next body
    // of this conversation is built (which writes over that end): the runtime sends a
    // conversation's requests one at a time (one run per session), and fetch copies a body when it
    // is called (test/providers/anthropic-body.test.ts checks that).
    reserve(prefix, end.length);
    const at = OPEN.length + before;
    prefix.buf.set(end, at);
    return prefix.buf.subarray(0, at + end.length);
  }
  // A short one: a copy, so that the kept buffer never has to hold room for the system prompt and
  // tools of every cached conversation.
  const body = new Uint8Array(OPEN.length + before + end.length);
  if (prefix) body.set(prefix.buf.subarray(0, OPEN.length + before));
  else body.set(OPEN);
  body.set(end, OPEN.length + before);
  return body;
}
