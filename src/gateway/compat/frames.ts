/**
 * OpenClaw gateway frames (`@openclaw/gateway-protocol`: RequestFrame, ResponseFrame, EventFrame,
 * ErrorShape) and the one mapping from our typed `ClientError` to OpenClaw's error shape
 * `{code, message, details?, retryable?, retryAfterMs?}` with a string code.
 */
import { z } from "zod";
import type { ClientError } from "../client-error.ts";

export const RequestFrameSchema = z.object({
  type: z.literal("req"),
  id: z.string().min(1).max(256),
  method: z.string().min(1).max(200),
  params: z.unknown().optional(),
  traceparent: z.string().max(128).optional(),
});
export type RequestFrame = z.infer<typeof RequestFrameSchema>;

export interface OpenClawErrorShape {
  code: string;
  message: string;
  details?: unknown;
  retryable?: boolean;
  retryAfterMs?: number;
}

/** Our error types → OpenClaw's string codes (its ErrorCodes; FORBIDDEN carries details.code MISSING_SCOPE). */
const CODES: Record<string, string> = {
  ParseError: "INVALID_REQUEST",
  InvalidRequestError: "INVALID_REQUEST",
  InvalidParamsError: "INVALID_REQUEST",
  MethodNotFoundError: "METHOD_NOT_FOUND",
  UnauthorizedError: "UNAUTHORIZED",
  ForbiddenError: "FORBIDDEN",
  NotFoundError: "NOT_FOUND",
  ConflictError: "CONFLICT",
  RateLimitedError: "RATE_LIMITED",
  PayloadTooLargeError: "PAYLOAD_TOO_LARGE",
  UnavailableError: "UNAVAILABLE",
  AbortedError: "ABORTED",
  ProviderError: "PROVIDER_FAILED",
  ConfigError: "INVALID_CONFIG",
};
const RETRYABLE = new Set(["RATE_LIMITED", "UNAVAILABLE"]);

export function openclawError(error: ClientError, retryAfterMs?: number): OpenClawErrorShape {
  const code = CODES[error.type] ?? (error.type === "PairingRequiredError" ? "NOT_PAIRED" : "UNAVAILABLE");
  const out: OpenClawErrorShape = { code, message: error.message || code.toLowerCase() };
  const details = error.type === "ForbiddenError" && error.details === undefined ? { code: "MISSING_SCOPE" } : error.details;
  if (details !== undefined) out.details = details;
  out.retryable = RETRYABLE.has(code) && error.type !== "InternalError";
  if (retryAfterMs !== undefined) out.retryAfterMs = retryAfterMs;
  return out;
}

export const resOk = (id: string, payload: unknown): string => JSON.stringify({ type: "res", id, ok: true, payload: payload === undefined ? {} : payload });
export const resError = (id: string, error: OpenClawErrorShape): string => JSON.stringify({ type: "res", id, ok: false, error });
export const eventFrame = (event: string, payload: unknown, seq?: number): string =>
  JSON.stringify(seq === undefined ? { type: "event", event, payload } : { type: "event", event, payload, seq });
