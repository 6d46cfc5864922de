import { describe, expect, test } from "bun:test";
import { ConfigSchema } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { MemoryConfigSource } from "../../src/gateway/config-source.ts";
import { depthExceeds, parseJson } from "../../src/core/json.ts";

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
});

describe("MemoryConfigSource.patch (the config module's merge and validation)", () => {
  test("merges, deletes with null and never writes through __proto__", async () => {
    const src = new MemoryConfigSource({ gateway: { port: 1234, bind: "lan" } });
    const out = await src.patch({ gateway: { port: 4321 }, logging: { level: "warn" } });
    expect(out.gateway.port).toBe(4321);
    expect(out.gateway.bind).toBe("lan");
    expect(ConfigSchema.parse({}).gateway.bind).not.toBe("lan");
    expect((await src.patch({ gateway: { bind: null } })).gateway.bind).toBe(ConfigSchema.parse({}).gateway.bind);
    const polluting = JSON.parse('{"x":{"y":2},"__proto__":{"polluted":1}}');
    await expect(src.patch(polluting)).rejects.toBeInstanceOf(ConfigError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(src.get().gateway.port).toBe(4321);
  });
  test("an invalid patch is refused with ConfigError and the config is unchanged", async () => {
    const src = new MemoryConfigSource({});
    await expect(src.patch({ gateway: { port: "nope" } })).rejects.toBeInstanceOf(ConfigError);
    expect(src.get().gateway.port).toBe(ConfigSchema.parse({}).gateway.port);
  });
});
