// The JSON-RPC 2.0 specification's own examples (section 7), run through the JSON-RPC codec and our
// dispatcher with the spec's methods registered, plus batch and depth limits, scopes, and what the
// protocol-neutral dispatcher answers on its own.
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { StorageError } from "../../../src/core/errors.ts";
import { answerFrame } from "../../../src/gateway/answer.ts";
import { jsonRpcCodec } from "../../../src/gateway/rpc/codec.ts";
import { Dispatcher } from "../../../src/gateway/rpc/dispatch.ts";
import { ALL_SCOPES, defineMethod, type CallContext, type Scope } from "../../../src/gateway/rpc/method.ts";

const notified: unknown[] = [];
const m = <S extends z.ZodType>(name: string, params: S, handler: (p: z.output<S>) => unknown, scope: Scope = "read") => defineMethod({ name, scope, params, handler });
const methods = [
  m("subtract", z.union([z.tuple([z.number(), z.number()]), z.strictObject({ minuend: z.number(), subtrahend: z.number() })]), (p) =>
    Array.isArray(p) ? p[0] - p[1] : p.minuend - p.subtrahend,
  ),
  m("sum", z.array(z.number()), (p) => p.reduce((a, b) => a + b, 0)),
  m("update", z.array(z.number()), (p) => void notified.push(["update", p])),
  m("notify_hello", z.array(z.number()), (p) => void notified.push(["hello", p])),
  m("notify_sum", z.array(z.number()), (p) => void notified.push(["sum", p])),
  m("get_data", z.object({}), () => ["hello", 5]),
  m("boom", z.object({}), () => {
    throw new Error("secret internals at /home/x");
  }),
];
const d = new Dispatcher(methods);
const limits = { maxBatch: 10, maxDepth: 16 };
const call: CallContext = { transport: "http", ip: "127.0.0.1", scopes: ALL_SCOPES };
const rpc = async (text: string, dispatcher = d, ctx = call) => {
  const out = await answerFrame(jsonRpcCodec, dispatcher, text, ctx, limits);
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
    const traced = new Dispatcher(methods, { log });
    await rpc('{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":1}', traced, { ...call, transport: "ws" });
    await rpc('{"jsonrpc":"2.0","method":"nope","id":2}', traced, { ...call, transport: "ws" });
    await rpc('{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":3}', traced);
    const rpcLines = lines.filter((l) => l.msg === "rpc");
    expect(rpcLines.map((l) => [l.fields?.method, l.fields?.outcome])).toEqual([
      ["sum", "ok"],
      ["nope", "MethodNotFoundError"],
    ]);
  });
});

describe("the protocol-neutral dispatcher", () => {
  const storeFail = defineMethod({
    name: "store.fail",
    scope: "read",
    params: z.strictObject({}),
    handler: () => {
      throw new StorageError("SQLITE_IOERR: disk I/O error in /home/alice/.openclaw/state/openclaw.db: INSERT INTO events");
    },
  });
  const ran: string[] = [];
  const table = new Dispatcher([
    defineMethod({ name: "look", scope: "read", params: z.strictObject({}), handler: () => (ran.push("look"), "seen") }),
    defineMethod({ name: "drive", scope: "write", params: z.strictObject({ n: z.number() }), handler: (p) => (ran.push("drive"), p.n) }),
    defineMethod({ name: "operate", scope: "admin", params: z.strictObject({}), handler: () => ran.push("operate") }),
    storeFail,
  ]);
  const as = (...scopes: Scope[]): CallContext => ({ transport: "ws", ip: "127.0.0.1", scopes: new Set(scopes) });

  test("returns outcomes, not frames: no ids, no envelopes", async () => {
    expect(await table.dispatch("drive", { n: 3 }, as("write"))).toEqual({ ok: true, result: 3 });
    expect(await table.dispatch("nope", {}, as("read"))).toMatchObject({ ok: false, error: { type: "MethodNotFoundError", code: -32601 } });
  });
  test("each method needs its scope: refused (-32002 ForbiddenError) before params are read or the handler runs", async () => {
    ran.length = 0;
    const refused = await table.dispatch("drive", { n: "not even valid" }, as("read"));
    expect(refused).toMatchObject({ ok: false, error: { type: "ForbiddenError", code: -32002 } });
    if (!refused.ok) expect(refused.error.message).toContain('needs the "write" scope');
    expect((await table.dispatch("operate", {}, as("read", "write"))).ok).toBe(false);
    expect(ran).toEqual([]);
    expect((await table.dispatch("operate", {}, as("admin"))).ok).toBe(true);
    expect((await table.dispatch("look", {}, as("read"))).ok).toBe(true);
    expect(ran).toEqual(["operate", "look"]);
    // over JSON-RPC the refusal is an ordinary error response
    const r = await rpc('{"jsonrpc":"2.0","method":"operate","id":"x"}', table, as("read"));
    expect(r).toMatchObject({ id: "x", error: { code: -32002, data: { type: "ForbiddenError" } } });
  });
  test("a storage failure reaches the client typed but without its text (paths, SQL); the log gets the detail", async () => {
    const logged: string[] = [];
    const sink = (msg: string, fields?: Record<string, unknown>) => void logged.push(msg + " " + JSON.stringify(fields, (_k, v) => (v instanceof Error ? v.message : v)));
    const log = { error: sink, warn: sink, info: sink, debug: () => {}, trace: () => {}, enabled: () => false, child: () => log };
    const withLog = new Dispatcher([storeFail], { log });
    const r = await rpc('{"jsonrpc":"2.0","method":"store.fail","id":1}', withLog);
    expect(r.error).toEqual({ code: -32040, message: "the session store failed; the gateway log has the details", data: { type: "StorageError" } });
    expect(JSON.stringify(r)).not.toContain("/home/alice");
    expect(JSON.stringify(r)).not.toContain("INSERT");
    expect(logged.join("\n")).toContain("/home/alice/.openclaw/state/openclaw.db");
    expect((await table.dispatch("store.fail", {}, as("read"))).ok).toBe(false);
  });
  test("a method name defined twice is refused when the table is built", () => {
    const twice = () => new Dispatcher([methods[0]!, methods[0]!]);
    expect(twice).toThrow("defined twice");
  });
});
