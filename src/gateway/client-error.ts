/**
 * The one place that decides what a client may read of an error. A `ClientError` is typed (`type`,
 * a numeric `code` from `RpcCode`, a `message`, optional `details`) and safe: it never carries the
 * text of an unexpected exception or a storage failure — those name files, SQL and internals. They
 * become a fixed message; the detail goes to the gateway log (the caller logs it). Every codec
 * encodes this one shape in its own dialect.
 */
import { OpenClawError, RpcCode } from "../core/errors.ts";

export interface ClientError {
  type: string;
  code: number;
  message: string;
  details?: unknown;
}

export const INTERNAL_MESSAGE = "internal error";
export const STORAGE_MESSAGE = "the session store failed; the gateway log has the details";
/** fixed and safe (no URL, no host): the operator's fix, while the log has the detail */
export const STORAGE_UNAVAILABLE_MESSAGE =
  "the database is unreachable: check that the server at storage.url is running and reachable (the gateway reconnects by itself; retry shortly)";

/** Types whose messages are written by code that may quote paths or SQL. */
const STORAGE_TYPES = new Set(["StorageError", "StorageFullError", "StorageCorruptError", "StorageUnavailableError"]);

/** The JSON-RPC codes of the named errors of core/errors.ts, for run errors that carry only a type. */
const CODES: Record<string, number> = {
  InvalidParamsError: RpcCode.InvalidParams,
  InvalidRequestError: RpcCode.InvalidRequest,
  MethodNotFoundError: RpcCode.MethodNotFound,
  UnauthorizedError: RpcCode.Unauthorized,
  ForbiddenError: RpcCode.Forbidden,
  NotFoundError: RpcCode.NotFound,
  ConflictError: RpcCode.Conflict,
  RateLimitedError: RpcCode.RateLimited,
  PayloadTooLargeError: RpcCode.PayloadTooLarge,
  UnavailableError: RpcCode.Unavailable,
  AbortedError: RpcCode.Aborted,
  ProviderError: RpcCode.ProviderFailed,
  SandboxUnavailableError: RpcCode.SandboxUnavailable,
  ConfigError: RpcCode.ConfigInvalid,
};

export const internalError = (): ClientError => ({ type: "InternalError", code: RpcCode.Internal, message: INTERNAL_MESSAGE });
const storageError = (type: string): ClientError => ({
  type,
  code: RpcCode.StorageFailed,
  message: type === "StorageUnavailableError" ? STORAGE_UNAVAILABLE_MESSAGE : STORAGE_MESSAGE,
});

/** True when the caller should log `err` in full: the client got a fixed message instead of its text. */
export function isMasked(err: unknown): boolean {
  return !(err instanceof OpenClawError) || STORAGE_TYPES.has(err.name);
}

/** Anything thrown → what the client sees. */
export function clientError(err: unknown): ClientError {
  if (!(err instanceof OpenClawError)) return internalError();
  if (STORAGE_TYPES.has(err.name)) return storageError(err.name);
  const out: ClientError = { type: err.name, code: err.rpcCode, message: err.message };
  if (err.details !== undefined) out.details = err.details;
  return out;
}

/**
 * A run's `error` event (`{type, message}` as the agent reports it) → what the client sees.
 * Named OpenClaw errors keep their message, provider failure kinds (`rate_limited`, `auth`, …)
 * keep theirs as a provider failure; storage failures, `InternalError` and anything unrecognised
 * get a fixed message.
 */
export function clientRunError(error: { type?: unknown; message?: unknown } | undefined): ClientError {
  const type = typeof error?.type === "string" ? error.type : "";
  const message = typeof error?.message === "string" ? error.message : "";
  if (STORAGE_TYPES.has(type)) return storageError(type);
  const code = CODES[type];
  if (code !== undefined) return { type, code, message };
  if (/^[a-z][a-z_]{0,63}$/.test(type)) return { type, code: RpcCode.ProviderFailed, message };
  return internalError();
}
