// The JSON-RPC 2.0 specification's own examples (section 7), run through our dispatcher with the
// spec's methods registered, plus batch and depth limits.
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { Dispatcher, defineMethod } from "../../../src/gateway/rpc/dispatch.ts";

const notified: unknown[] = [];
const methods = {
  subtract: defineMethod(
    z.union([z.tuple([z.number(), z.number()]), z.strictObject({ minuend: z.number(), subtrahend: z.number() })]),
    (p) => (Array.isArray(p) ? p[0] - p[1] : p.minuend - p.subtrahend),
  ),
  sum: defineMethod(z.array(z.number()), (p) => p.reduce((a, b) => a + b, 0)),
  update: defineMethod(z.array(z.number()), (p) => void notified.push(["update", p])),
  notify_hello: defineMethod(z.array(z.number()), (p) => void notified.push(["hello", p])),
  notify_sum: defineMethod(z.array(z.number()), (p) => void notified.push(["sum", p])),
  get_data: defineMethod(z.object({}), () => ["hello", 5]),
  boom: defineMethod(z.object({}), () => {
    throw new Error("secret internals at /home/x");
  }),
};
const d = new Dispatcher(methods, { maxBatch: () => 10, maxDepth: () => 16 });
const call = { transport: "http" as const, ip: "127.0.0.1" };
const rpc = async (text: string) => {
  const out = await d.handleText(text, call);
  return out === null ? null : JSON.parse(out);
};
const slim = (r: any) => (r.error ? { jsonrpc: r.jsonrpc, error: { code: r.error.code, message: r.error.message }, id: r.id } : r);

describe("JSON-RPC 2.0 spec examples", () => {
  test("positional parameters", async () => {
    expect(await rpc('{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}')).toEqual({ jsonrpc: "2.0", result: 19, id: 1 });
    expect(await rpc('{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}')).toEqual({ jsonrpc: "2.0", result: -19, id: 2 });
  });
  test("named parameters", async () => {
    expect(await rpc('{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}')).toEqual({ jsonrpc: "2.0", result: 19, id: 3 });
    expect(await rpc('{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}')).toEqual({ jsonrpc: "2.0", result: 19, id: 4 });
  });
  test("notifications get no response, even when the method is unknown", async () => {
    notified.length = 0;
    expect(await rpc('{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}')).toBeNull();
    expect(await rpc('{"jsonrpc": "2.0", "method": "foobar"}')).toBeNull();
    expect(notified).toEqual([["update", [1, 2, 3, 4, 5]]]);
  });
  test("non-existent method", async () => {
    expect(slim(await rpc('{"jsonrpc": "2.0", "method": "foobar", "id": "1"}'))).toEqual({ jsonrpc: "2.0", error: { code: -32601, message: "Method not found" }, id: "1" });
  });
  test("invalid JSON", async () => {
    expect(slim(await rpc('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]'))).toEqual({ jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null });
  });
  test("invalid Request object", async () => {
    expect(slim(await rpc('{"jsonrpc": "2.0", "method": 1, "params": "bar"}'))).toEqual({ jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request" }, id: null });
  });
  test("batch, invalid JSON", async () => {
    const text = '[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method"]';
    expect(slim(await rpc(text))).toEqual({ jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null });
  });
  test("empty array", async () => {
    expect(slim(await rpc("[]"))).toEqual({ jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request" }, id: null });
  });
  test("invalid batch, but not empty", async () => {
    expect((await rpc("[1]")).map(slim)).toEqual([{ jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request" }, id: null }]);
  });
  test("invalid batch", async () => {
    const r = await rpc("[1,2,3]");
    expect(r).toHaveLength(3);
    for (const e of r) expect(slim(e)).toEqual({ jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request" }, id: null });
  });
  test("batch mixture", async () => {
    const text = `[
      {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
      {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
      {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
      {"foo": "boo"},
      {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
      {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]`;
    const r = (await rpc(text)).map(slim);
    expect(r).toEqual([
      { jsonrpc: "2.0", result: 7, id: "1" },
      { jsonrpc: "2.0", result: 19, id: "2" },
      { jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request" }, id: null },
      { jsonrpc: "2.0", error: { code: -32601, message: "Method not found" }, id: "5" },
      { jsonrpc: "2.0", result: ["hello", 5], id: "9" },
    ]);
  });
  test("batch of only notifications returns nothing", async () => {
    notified.length = 0;
    const text = '[{"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},{"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}]';
    expect(await rpc(text)).toBeNull();
    expect(notified).toHaveLength(2);
  });
});

describe("dispatcher limits and errors", () => {
  test("invalid params is -32602 with the failing path, no stack", async () => {
    const r = await rpc('{"jsonrpc":"2.0","method":"subtract","params":{"minuend":"x"},"id":7}');
    expect(r.error.code).toBe(-32602);
    expect(r.id).toBe(7);
    expect(JSON.stringify(r)).not.toContain("stack");
  });
  test("a thrown unknown error becomes a bare -32603 without internals", async () => {
    const r = await rpc('{"jsonrpc":"2.0","method":"boom","id":1}');
    expect(r.error).toEqual({ code: -32603, message: "internal error", data: { type: "InternalError" } });
    expect(JSON.stringify(r)).not.toContain("/home/x");
  });
  test("wrong jsonrpc version, bad id types, null params are invalid requests", async () => {
    for (const t of [
      '{"jsonrpc":"1.0","method":"sum","params":[1],"id":1}',
      '{"method":"sum","params":[1],"id":1}',
      '{"jsonrpc":"2.0","method":"sum","params":[1],"id":{"a":1}}',
      '{"jsonrpc":"2.0","method":"sum","params":null,"id":1}',
      '{"jsonrpc":"2.0","method":"","id":1}',
      '"just a string"',
      "null",
    ]) {
      expect((await rpc(t)).error.code).toBe(-32600);
    }
  });
  test("an invalid request keeps its valid id", async () => {
    expect((await rpc('{"jsonrpc":"1.0","method":"sum","id":"abc"}')).id).toBe("abc");
  });
  test("a batch above the limit is refused as a whole", async () => {
    const batch = JSON.stringify(Array.from({ length: 11 }, (_, i) => ({ jsonrpc: "2.0", method: "sum", params: [i], id: i })));
    const r = await rpc(batch);
    expect(r.error.code).toBe(-32600);
    expect(r.error.message).toContain("limit of 10");
    const huge = JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ jsonrpc: "2.0", method: "sum", params: [i], id: i })));
    expect((await rpc(huge)).error.code).toBe(-32600);
  });
  test("nesting deeper than the limit is refused before parsing", async () => {
    const deep = "[".repeat(10_000) + "]".repeat(10_000);
    expect((await rpc(deep)).error.code).toBe(-32600);
    const deepParams = `{"jsonrpc":"2.0","method":"sum","params":${"[".repeat(20)}${"]".repeat(20)},"id":1}`;
    expect((await rpc(deepParams)).error.code).toBe(-32600);
  });
  test("methods named like Object.prototype members are not found", async () => {
    for (const m of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect((await rpc(JSON.stringify({ jsonrpc: "2.0", method: m, id: 1 }))).error.code).toBe(-32601);
    }
  });
});

describe("debug trace", () => {
  test("one debug line per WebSocket call with method and outcome; none for HTTP (the request logger covers it)", async () => {
    const lines: { msg: string; fields?: Record<string, unknown> }[] = [];
    const sink = (msg: string, fields?: Record<string, unknown>) => void lines.push({ msg, ...(fields ? { fields } : {}) });
    const log = { error: sink, warn: sink, info: sink, debug: sink, trace: sink, enabled: () => true, child: () => log };
    const traced = new Dispatcher(methods, { maxBatch: () => 10, maxDepth: () => 16, log });
    await traced.handleText('{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":1}', { transport: "ws", ip: "127.0.0.1" });
    await traced.handleText('{"jsonrpc":"2.0","method":"nope","id":2}', { transport: "ws", ip: "127.0.0.1" });
    await traced.handleText('{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":3}', { transport: "http", ip: "127.0.0.1" });
    const rpcLines = lines.filter((l) => l.msg === "rpc");
    expect(rpcLines.map((l) => [l.fields?.method, l.fields?.outcome])).toEqual([
      ["sum", "ok"],
      ["nope", "MethodNotFoundError"],
    ]);
  });
});
