import { describe, expect, test } from "bun:test";
import {
  ConfigError, NotFoundError, OpenClawError, RateLimitedError, RpcCode, StorageCorruptError, StorageFullError,
  UnauthorizedError, httpStatusOf, toWireError,
} from "../../src/core/errors.ts";

describe("errors", () => {
  test("named classes carry their JSON-RPC code and HTTP status", () => {
    const table: [OpenClawError, string, number, number][] = [
      [new ConfigError("x"), "ConfigError", RpcCode.ConfigInvalid, 400],
      [new NotFoundError("x"), "NotFoundError", RpcCode.NotFound, 404],
      [new UnauthorizedError("x"), "UnauthorizedError", RpcCode.Unauthorized, 401],
      [new RateLimitedError("x"), "RateLimitedError", RpcCode.RateLimited, 429],
      [new StorageFullError("x"), "StorageFullError", RpcCode.StorageFailed, 507],
      [new StorageCorruptError("x"), "StorageCorruptError", RpcCode.StorageFailed, 500],
    ];
    for (const [err, name, code, status] of table) {
      expect(err.name).toBe(name);
      expect(err.rpcCode).toBe(code);
      expect(err.httpStatus).toBe(status);
      expect(httpStatusOf(err)).toBe(status);
      expect(err).toBeInstanceOf(Error);
    }
  });

  test("serialize to the wire without a stack; unknown errors become a bare internal error", () => {
    const wire = toWireError(new ConfigError("bad port", { details: { path: "gateway.port" } }));
    expect(wire).toEqual({ code: RpcCode.ConfigInvalid, message: "bad port", data: { type: "ConfigError", details: { path: "gateway.port" } } });
    expect(JSON.stringify(wire)).not.toContain("at ");
    const internal = toWireError(new Error("secret internals /etc/passwd"));
    expect(internal).toEqual({ code: RpcCode.Internal, message: "internal error", data: { type: "InternalError" } });
    expect(httpStatusOf("nope")).toBe(500);
  });

  test("keep the cause", () => {
    const cause = new Error("root");
    expect(new ConfigError("x", { cause }).cause).toBe(cause);
  });
});
