// The RPC methods the dashboard's pages need, over POST /rpc: config.schema, config.patch's field
// errors, sessions.list with query / messageCount / lastActivityAt.
import { afterAll, describe, expect, test } from "bun:test";
import { configJsonSchema } from "../../src/config/validate.ts";
import { makeHarness, waitFor } from "./helpers.ts";

const h = makeHarness();
afterAll(() => h.close());

describe("config", () => {
  test("config.schema is the JSON Schema `openclaw config schema` prints", async () => {
    const r = await h.rpc("config.schema", {});
    expect(r.result.schema).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
    expect(r.result.schema.properties.gateway.properties.port).toBeDefined();
  });
  test("an invalid config.patch: -32030 with data.details [{path, message}] per invalid key; nothing changes", async () => {
    const r = await h.rpc("config.patch", { patch: { gateway: { port: 99999, limits: { maxBatch: -1 } } } });
    expect(r.error.code).toBe(-32030);
    expect(r.error.data.type).toBe("ConfigError");
    const details = r.error.data.details as { path: string; message: string }[];
    expect(details.map((d) => d.path).sort()).toEqual(["gateway.limits.maxBatch", "gateway.port"]);
    expect(details.find((d) => d.path === "gateway.port")!.message).toBe("expected integer 1..65535");
    expect(r.error.message).toContain("gateway.port");
    expect(h.gw.config().gateway.port).toBe(18789);
  });
  test("a valid patch still answers as before", async () => {
    const r = await h.rpc("config.patch", { patch: { gateway: { limits: { maxBatch: 40 } } } });
    expect(r.result.changed).toEqual(["gateway.limits.maxBatch"]);
  });
});

describe("sessions.list", () => {
  test("items carry messageCount and lastActivityAt (ISO); query filters case-insensitively", async () => {
    for (const [key, text] of [["agent:main:alpha", "one"], ["agent:main:beta", "two"]] as const) {
      const r = await h.rpc("chat.send", { sessionKey: key, text });
      await waitFor(() => !h.runtime.runs().some((x) => x.runId === r.result.runId), `run ${r.result.runId}`);
    }
    await h.store.ensureSession({ key: "agent:main:gamma", channel: "telegram", peer: "777", title: "Groceries" });
    const all = (await h.rpc("sessions.list", {})).result.sessions as any[];
    const alpha = all.find((s) => s.key === "agent:main:alpha");
    expect(alpha.messageCount).toBe(2); // the user's message and the reply
    expect(alpha.lastActivityAt).toBe(new Date(alpha.updatedAt).toISOString());
    expect(all.find((s) => s.key === "agent:main:gamma").messageCount).toBe(0);

    const keys = async (query: string) => ((await h.rpc("sessions.list", { query })).result.sessions as any[]).map((s) => s.key);
    expect(await keys("ALPHA")).toEqual(["agent:main:alpha"]);
    expect(await keys("groceries")).toEqual(["agent:main:gamma"]);
    expect(await keys("777")).toEqual(["agent:main:gamma"]);
    expect(await keys("agent:main:").then((k) => k.length)).toBe(3);
    expect(await keys("zzz")).toEqual([]);
    const tooLong = await h.rpc("sessions.list", { query: "x".repeat(201) });
    expect(tooLong.error.code).toBe(-32602);
    expect(tooLong.error.data.details[0].path).toBe("query");
  });
});
