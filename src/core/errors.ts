/**
 * Named errors. Each carries the JSON-RPC code and HTTP status it maps to, so the gateway maps
 * errors in exactly one place (`toWireError`). `message` is written for the person or model that
 * reads it: what was wrong and how to fix it. Never put a secret in a message; never send `stack`.
 */
export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  Internal: -32603,
  // Our own range (documented in the README): -32000 … -32099
  Unauthorized: -32001,
  Forbidden: -32002,
  NotFound: -32003,
  Conflict: -32004,
  RateLimited: -32005,
  PayloadTooLarge: -32006,
  Unavailable: -32007,
  Aborted: -32008,
  ProviderFailed: -32010,
  SandboxUnavailable: -32020,
  ConfigInvalid: -32030,
  StorageFailed: -32040,
} as const;
export type RpcCode = (typeof RpcCode)[keyof typeof RpcCode];

export interface WireError {
  code: number;
  message: string;
  data?: { type: string; details?: unknown };
}

export class OpenClawError extends Error {
  readonly rpcCode: number = RpcCode.Internal;
  readonly httpStatus: number = 500;
  readonly details?: unknown;
  constructor(message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }
  toWire(): WireError {
    const data: WireError["data"] = { type: this.name };
    if (this.details !== undefined) data.details = this.details;
    return { code: this.rpcCode, message: this.message, data };
  }
}

const named = (rpcCode: number, httpStatus: number) =>
  class extends OpenClawError {
    override readonly rpcCode = rpcCode;
    override readonly httpStatus = httpStatus;
  };

export class InvalidParamsError extends named(RpcCode.InvalidParams, 400) {}
export class InvalidRequestError extends named(RpcCode.InvalidRequest, 400) {}
export class MethodNotFoundError extends named(RpcCode.MethodNotFound, 404) {}
export class UnauthorizedError extends named(RpcCode.Unauthorized, 401) {}
export class ForbiddenError extends named(RpcCode.Forbidden, 403) {}
export class NotFoundError extends named(RpcCode.NotFound, 404) {}
export class ConflictError extends named(RpcCode.Conflict, 409) {}
export class RateLimitedError extends named(RpcCode.RateLimited, 429) {}
export class PayloadTooLargeError extends named(RpcCode.PayloadTooLarge, 413) {}
export class UnavailableError extends named(RpcCode.Unavailable, 503) {}
export class AbortedError extends named(RpcCode.Aborted, 499) {}
export class ProviderError extends named(RpcCode.ProviderFailed, 502) {}
export class SandboxUnavailableError extends named(RpcCode.SandboxUnavailable, 503) {}
export class ConfigError extends named(RpcCode.ConfigInvalid, 400) {}
export class StorageError extends named(RpcCode.StorageFailed, 500) {}
/** Disk full: the store stays readable, new writes are refused until space returns. */
export class StorageFullError extends named(RpcCode.StorageFailed, 507) {}
/** A database file that is corrupt or not ours. Names the file and the recovery. */
export class StorageCorruptError extends named(RpcCode.StorageFailed, 500) {}

/** The one mapping from anything thrown to what a client may see. Unknown errors become a bare -32603. */
export function toWireError(err: unknown): WireError {
  if (err instanceof OpenClawError) return err.toWire();
  return { code: RpcCode.Internal, message: "internal error", data: { type: "InternalError" } };
}

export function httpStatusOf(err: unknown): number {
  return err instanceof OpenClawError ? err.httpStatus : 500;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
