import { describe, expect, test } from "bun:test";
import { depthExceeds, mergePatch, parseJson } from "../../src/gateway/limits.ts";

describe("parseJson", () => {
  test("depth is counted outside strings only", () => {
    expect(depthExceeds('{"a":[[1]]}', 3)).toBe(false);
    expect(depthExceeds('{"a":[[[1]]]}', 3)).toBe(true);
    expect(depthExceeds('{"a":"[[[[[[[[\\"[[[["}', 2)).toBe(false);
    expect(parseJson("[".repeat(100_000), 64)).toMatchObject({ ok: false, reason: "depth" });
  });
  test("parse errors are reported, not thrown", () => {
    expect(parseJson("{nope", 64)).toMatchObject({ ok: false, reason: "parse" });
  });
  test("__proto__, constructor and prototype keys are dropped, also when escaped", () => {
    const r = parseJson('{"a":1,"__proto__":{"polluted":true},"b":{"constructor":{"prototype":{"x":1}}},"\\u005f_proto__":{"p2":1}}', 64);
    expect(r.ok).toBe(true);
    const v = (r as { value: Record<string, unknown> }).value;
    expect(Object.keys(v).sort()).toEqual(["a", "b"]);
    expect(v.b).toEqual({});
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).p2).toBeUndefined();
  });
  test("mergePatch merges, deletes with null and never writes through __proto__", () => {
    const patch = JSON.parse('{"x":{"y":2},"z":null,"__proto__":{"polluted":1}}');
    const out = mergePatch({ x: { w: 1 }, z: 3 }, patch) as Record<string, unknown>;
    expect(out).toEqual({ x: { w: 1, y: 2 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});
