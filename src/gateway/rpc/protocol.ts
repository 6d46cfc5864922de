/**
 * JSON-RPC 2.0 envelopes (https://www.jsonrpc.org/specification). Requests carry an `id` (string,
 * number or null) and get exactly one response; notifications have no `id` and get none, not even
 * an error. The codec (codec.ts) builds on these; errors come from client-error.ts, the one mapping.
 */
import { RpcCode } from "../../core/errors.ts";

export type RpcId = string | number | null;

export interface RpcRequest {
  jsonrpc: "2.0";
  method: string;
  params?: unknown;
  /** absent → notification */
  id?: RpcId;
}

export const STANDARD_MESSAGES: Record<number, string> = {
  [RpcCode.ParseError]: "Parse error",
  [RpcCode.InvalidRequest]: "Invalid Request",
  [RpcCode.MethodNotFound]: "Method not found",
  [RpcCode.InvalidParams]: "Invalid params",
  [RpcCode.Internal]: "Internal error",
};

function isValidId(id: unknown): id is RpcId {
  return id === null || typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
}

/** What the id of an invalid request should be echoed as: its id if that id is valid, else null. */
export function salvageId(value: unknown): RpcId {
  if (value && typeof value === "object" && !Array.isArray(value) && "id" in value) {
    const id = (value as { id: unknown }).id;
    return isValidId(id) ? id : null;
  }
  return null;
}

/** Checks the envelope (not the params). Returns null when it is not a valid request object. */
export function asRequest(value: unknown): RpcRequest | null {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (v.jsonrpc !== "2.0" || typeof v.method !== "string" || v.method.length === 0) return null;
  if ("id" in v && !isValidId(v.id)) return null;
  if ("params" in v && (v.params === null || typeof v.params !== "object")) return null;
  return v as unknown as RpcRequest;
}

export function isNotification(req: RpcRequest): boolean {
  return !("id" in req);
}

/** A server → client notification, serialized once and sent to many connections. */
export function notificationText(method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", method, params });
}
