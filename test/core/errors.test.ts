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

describe("error type names survive bundling", () => {
  // Bundlers rename classes (the compiled binary showed "X" and "UsageError2"), so every error
  // class must declare its wire name as `static type`; from source, class names are intact, so
  // each declared type must equal the class's own name.
  test("every exported OpenClawError subclass in src declares its own static type", async () => {
    const { OpenClawError } = await import("../../src/core/errors.ts");
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const root = join(import.meta.dir, "../../src");
    const files = [...new Bun.Glob("**/*.ts").scanSync(root)].filter((f) => /export class \w+ extends \w+/.test(readFileSync(join(root, f), "utf8")));
    const checked: string[] = [];
    for (const f of files) {
      if (f === "main.ts") continue;
      const mod = (await import(join(root, f))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) {
        if (typeof value !== "function" || !(value.prototype instanceof OpenClawError)) continue;
        expect(`${name}: ${(value as unknown as { type: string }).type}`).toBe(`${name}: ${name}`);
        checked.push(name);
      }
    }
    expect(checked).toContain("UsageError");
    expect(checked).toContain("PathEscapeError");
    expect(checked.length).toBeGreaterThanOrEqual(24);
  });
});
