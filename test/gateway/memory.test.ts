// gateway.memory over a real gateway with a real SQLite file and a real WebSocket: the documented
// shape, admin only, and the hub's subscription table back to empty after clients reconnect.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { smapsRollup, sqliteFigures } from "../../src/gateway/rpc/methods/memory.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { listen, makeHarness, TOKEN, waitFor, WsClient } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "gw-memory-"));
const store = new SqliteStore(join(dir, "state.db"), { reserveBytes: 0 });
const h = makeHarness({ store });
const server = listen(h);
afterAll(async () => {
  await server.stop(true);
  await h.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("gateway.memory", () => {
  test("rss, smaps, heap, SQLite pages and structure sizes; gc honoured", async () => {
    await h.rpc("chat.send", { sessionKey: "agent:main:mem1", text: "hello" });
    await waitFor(async () => (await store.readLatest("agent:main:mem1", 10)).length >= 2, "the reply to be stored");
    const r = (await h.rpc("gateway.memory", { gc: true })).result;
    expect(r.gc).toBe(true);
    expect(r.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(r.heap.objectCount).toBeGreaterThan(0);
    expect(Object.keys(r.heap.topTypes).length).toBeGreaterThan(0);
    if (process.platform === "linux") expect(r.smapsRollup.Rss).toBeGreaterThan(0);
    expect(r.sqlite.pageSize).toBe(4096);
    expect(r.sqlite.pageCount).toBeGreaterThan(1);
    expect(r.structures.hub).toEqual({ sessions: 0, subscriptions: 0, logTails: 0 });
    expect(r.structures.authRateLimitEntries).toBe(0);
  });

  test("bad params are refused, naming the field", async () => {
    const r = await h.rpc("gateway.memory", { gc: "yes" });
    expect(r.error.data.details[0].path).toBe("gc");
  });

  test("a reconnecting client does not leak its subscriptions", async () => {
    const url = `ws://127.0.0.1:${server.port}/ws`;
    for (let round = 0; round < 5; round++) {
      const c = await WsClient.connect(url, { token: TOKEN });
      for (let i = 0; i < 10; i++) expect((await c.call("sessions.subscribe", { sessionKey: `agent:main:s${i}` })).result.subscribed).toBe(true);
      expect(h.gw.hub.stats().subscriptions).toBe(10);
      c.ws.close();
      await c.closedP;
      await waitFor(() => h.gw.hub.stats().subscriptions === 0, "the closed connection's subscriptions to be dropped");
    }
    const r = (await h.rpc("gateway.memory", {})).result;
    expect(r.structures.hub).toEqual({ sessions: 0, subscriptions: 0, logTails: 0 });
    expect(r.structures.connections).toBe(0);
  });
});

describe("gateway.limits.maxSubscriptionsPerConnection", () => {
  const small = makeHarness({ config: { gateway: { limits: { maxSubscriptionsPerConnection: 3 } } } });
  const srv = listen(small);
  afterAll(async () => {
    await srv.stop(true);
    await small.close();
  });
  test("bounds one connection's subscriptions; re-subscribing a held key is free; the hub holds no more", async () => {
    const c = await WsClient.connect(`ws://127.0.0.1:${srv.port}/ws`, { token: TOKEN });
    for (let i = 0; i < 3; i++) expect((await c.call("sessions.subscribe", { sessionKey: `agent:main:k${i}` })).result.subscribed).toBe(true);
    const over = await c.call("sessions.subscribe", { sessionKey: "agent:main:k3" });
    expect(over.error.message).toContain("maxSubscriptionsPerConnection");
    expect((await c.call("sessions.subscribe", { sessionKey: "agent:main:k0" })).result.subscribed).toBe(true);
    expect(small.gw.hub.stats()).toEqual({ sessions: 3, subscriptions: 3, logTails: 0 });
    c.ws.close();
    await c.closedP;
    await waitFor(() => small.gw.hub.stats().subscriptions === 0, "the subscriptions to be dropped on close");
  });
});

describe("readers", () => {
  test("smaps_rollup: kB lines become bytes; a missing file is null", () => {
    const f = join(dir, "rollup");
    Bun.write(f, "55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:  2048 kB\nAnonymous:  1024 kB\nOther: 5 kB\n");
    return Bun.sleep(0).then(() => {
      expect(smapsRollup(f)).toEqual({ Rss: 2048 * 1024, Anonymous: 1024 * 1024 });
      expect(smapsRollup(join(dir, "nope"))).toBeNull();
    });
  });
  test("sqliteFigures: null for a memory store or a missing file", () => {
    expect(sqliteFigures(undefined)).toBeNull();
    expect(sqliteFigures(join(dir, "missing.db"))).toBeNull();
  });
});
