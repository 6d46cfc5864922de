/**
 * The JSON-RPC 2.0 codec (https://www.jsonrpc.org/specification): single requests, notifications
 * (no `id`: no answer, not even an error) and batches (bounded; answered in one frame, in order,
 * notifications left out). The first frame of a connection not authenticated at upgrade is
 * `{"jsonrpc":"2.0","method":"auth","params":{"token":"…"},"id":1}`. The fallback codec: it claims
 * every first frame no other codec claimed.
 */
import { RpcCode } from "../../core/errors.ts";
import { parseJson } from "../../core/json.ts";
import type { ClientError } from "../client-error.ts";
import type { Codec, Decoded, DecodedItem, GatewayEvent } from "../codec.ts";
import { asRequest, isNotification, notificationText, salvageId, STANDARD_MESSAGES, type RpcId } from "./protocol.ts";

/** The id to answer with; `undefined` for a notification. */
export type RpcRef = RpcId | undefined;

const AUTH_MAX_DEPTH = 8;

const standard = (code: number, type: string, message = STANDARD_MESSAGES[code] ?? "Server error"): ClientError => ({ type, code, message });
const PARSE_ERROR = standard(RpcCode.ParseError, "ParseError");
const INVALID_REQUEST = standard(RpcCode.InvalidRequest, "InvalidRequestError");

function item(value: unknown): DecodedItem<RpcRef> {
  const req = asRequest(value);
  if (!req) return { ref: salvageId(value), error: INVALID_REQUEST };
  return { ref: isNotification(req) ? undefined : (req.id ?? null), method: req.method, params: req.params };
}

/** `{code, message, data: {type, details?}}`: the error object of a JSON-RPC response. */
export function wireError(error: ClientError): { code: number; message: string; data: { type: string; details?: unknown } } {
  const data: { type: string; details?: unknown } = { type: error.type };
  if (error.details !== undefined) data.details = error.details;
  return { code: error.code, message: error.message, data };
}

export const jsonRpcCodec: Codec<RpcRef> = {
  name: "jsonrpc",

  claims: () => true,

  decodeAuth(frame) {
    const parsed = parseJson(frame, AUTH_MAX_DEPTH);
    const req = parsed.ok ? asRequest(parsed.value) : null;
    if (!req) return { ref: null, token: null };
    const ref = isNotification(req) ? undefined : (req.id ?? null);
    const params = req.params as { token?: unknown } | undefined;
    return { ref, token: req.method === "auth" && typeof params?.token === "string" ? params.token : null };
  },

  encodeAuthOk: (ref) => (ref === undefined ? null : JSON.stringify({ jsonrpc: "2.0", result: { ok: true }, id: ref })),

  decode(frame, limits): Decoded<RpcRef> {
    const parsed = parseJson(frame, limits.maxDepth);
    if (!parsed.ok) {
      return { kind: "invalid", ref: null, error: parsed.reason === "depth" ? standard(RpcCode.InvalidRequest, "InvalidRequestError", parsed.message) : PARSE_ERROR };
    }
    const value = parsed.value;
    if (!Array.isArray(value)) return { kind: "calls", batch: false, items: [item(value)] };
    if (value.length === 0) return { kind: "invalid", ref: null, error: INVALID_REQUEST };
    if (value.length > limits.maxBatch) {
      return { kind: "invalid", ref: null, error: standard(RpcCode.InvalidRequest, "InvalidRequestError", `batch of ${value.length} requests exceeds the limit of ${limits.maxBatch}`) };
    }
    return { kind: "calls", batch: true, items: value.map(item) };
  },

  encodeResult: (ref, result) => (ref === undefined ? null : JSON.stringify({ jsonrpc: "2.0", result: result === undefined ? null : result, id: ref })),

  encodeError: (ref, error) => (ref === undefined ? null : JSON.stringify({ jsonrpc: "2.0", error: wireError(error), id: ref })),

  encodeBatch: (parts) => (parts.length === 0 ? null : `[${parts.join(",")}]`),

  encodeEvent(event: GatewayEvent) {
    if (event.kind === "log") return notificationText("logs.record", event.record);
    return notificationText("chat.event", { sessionKey: event.sessionKey, runId: event.runId, event: event.event });
  },
};
