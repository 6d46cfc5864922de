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
  /**
   * The stable type name clients see (`data.type` on the wire, `error.type` in `--json` output).
   * Every subclass declares its own: bundlers rename classes (a compiled binary had "X" and
   * "UsageError2"), so `constructor.name` is not an identity. test/core/errors.test.ts checks that
   * each exported error class declares it.
   */
  static readonly type: string = "OpenClawError";
  readonly rpcCode: number = RpcCode.Internal;
  readonly httpStatus: number = 500;
  readonly details?: unknown;
  constructor(message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = (new.target as typeof OpenClawError).type;
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

export class InvalidParamsError extends named(RpcCode.InvalidParams, 400) {
  static override readonly type: string = "InvalidParamsError";
}
export class InvalidRequestError extends named(RpcCode.InvalidRequest, 400) {
  static override readonly type: string = "InvalidRequestError";
}
export class MethodNotFoundError extends named(RpcCode.MethodNotFound, 404) {
  static override readonly type: string = "MethodNotFoundError";
}
export class UnauthorizedError extends named(RpcCode.Unauthorized, 401) {
  static override readonly type: string = "UnauthorizedError";
}
export class ForbiddenError extends named(RpcCode.Forbidden, 403) {
  static override readonly type: string = "ForbiddenError";
}
export class NotFoundError extends named(RpcCode.NotFound, 404) {
  static override readonly type: string = "NotFoundError";
}
export class ConflictError extends named(RpcCode.Conflict, 409) {
  static override readonly type: string = "ConflictError";
}
export class RateLimitedError extends named(RpcCode.RateLimited, 429) {
  static override readonly type: string = "RateLimitedError";
}
export class PayloadTooLargeError extends named(RpcCode.PayloadTooLarge, 413) {
  static override readonly type: string = "PayloadTooLargeError";
}
export class UnavailableError extends named(RpcCode.Unavailable, 503) {
  static override readonly type: string = "UnavailableError";
}
export class AbortedError extends named(RpcCode.Aborted, 499) {
  static override readonly type: string = "AbortedError";
}
export class ProviderError extends named(RpcCode.ProviderFailed, 502) {
  static override readonly type: string = "ProviderError";
}
export class SandboxUnavailableError extends named(RpcCode.SandboxUnavailable, 503) {
  static override readonly type: string = "SandboxUnavailableError";
}
export class ConfigError extends named(RpcCode.ConfigInvalid, 400) {
  static override readonly type: string = "ConfigError";
}
export class StorageError extends named(RpcCode.StorageFailed, 500) {
  static override readonly type: string = "StorageError";
}
/**
 * The database server cannot be reached (connection refused or lost): transient, the store reconnects
 * by itself. Clients get a fixed message saying so (gateway/client-error.ts); the log gets this one.
 */
export class StorageUnavailableError extends StorageError {
  static override readonly type: string = "StorageUnavailableError";
  override readonly httpStatus: number = 503;
}
/** Disk full: the store stays readable, new writes are refused until space returns. */
export class StorageFullError extends named(RpcCode.StorageFailed, 507) {
  static override readonly type: string = "StorageFullError";
}
/** A database file that is corrupt or not ours. Names the file and the recovery. */
export class StorageCorruptError extends named(RpcCode.StorageFailed, 500) {
  static override readonly type: string = "StorageCorruptError";
}

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
