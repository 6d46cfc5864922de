// PgFanout on a real PostgreSQL server: several fan-outs on one database stand for several gateway
// nodes. Order per session, large (multi-byte) events through the outbox, no echo, three nodes,
// LISTEN coming back after a server restart, outbox pruning, payloads that are not ours.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { createLogger } from "../../src/core/log.ts";
import type { FanoutEvent } from "../../src/store/fanout.ts";
import { singleNodeFanout } from "../../src/store/fanout.ts";
import { openConfiguredFanout } from "../../src/store/open.ts";
import { channelFor, MAX_NOTIFY_BYTES, utf8Bytes } from "../../src/store/postgres/fanout-envelope.ts";
import { openPgFanout, type PgFanout, type PgFanoutOptions } from "../../src/store/postgres/fanout.ts";
import { OutboxFetcher } from "../../src/store/postgres/fanout-fetcher.ts";
import { FanoutReceiver } from "../../src/store/postgres/fanout-receiver.ts";
import { openPgStore, type PgStore } from "../../src/store/postgres/store.ts";
import { type PgServer, startPostgres } from "../support/postgres.ts";

let pg: PgServer;
const open: (PgFanout | PgStore)[] = [];
beforeAll(() => {
  pg = startPostgres();
});
afterAll(async () => {
  for (const x of open.splice(0)) await x.close().catch(() => {});
  pg?.stop();
});

/** `count` nodes on `schema` (the store applies the migrations, as at gateway start), each with what it received. */
async function nodes(schema: string, count: number, opts: Partial<PgFanoutOptions> = {}) {
  const store = await openPgStore({ url: pg.url, schema, max: 2 });
  open.push(store);
  const out: { f: PgFanout; got: FanoutEvent[] }[] = [];
  for (let i = 0; i < count; i++) {
    const f = await openPgFanout({ url: pg.url, schema, origin: `node${i}`, ...opts });
    open.push(f);
    const got: FanoutEvent[] = [];
    f.onRemote((e) => got.push(e));
    out.push({ f, got });
  }
  return out;
}

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(10);
  }
}

describe("PgFanout between nodes on one database", () => {
  test("1,000 events of one session arrive at the other node in order; the sender gets none of its own", async () => {
    const [a, b] = await nodes("order", 2);
    for (let i = 0; i < 1000; i++) a!.f.publish({ sessionKey: "agent:main:main", type: "text_delta", i });
    await a!.f.flush();
    await until(() => b!.got.length >= 1000, "1,000 events at node b");
    expect(b!.got.map((e) => e.i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    await Bun.sleep(100); // a late echo would have arrived by now
    expect(a!.got).toEqual([]);
    expect(a!.f.stats()).toMatchObject({ kind: "postgres", published: 1000, sent: 1000, failed: 0, queued: 0, listening: true });
    expect(b!.f.stats()).toMatchObject({ received: 1000, lost: 0 });
  });

  test("a 100 KB multi-byte event arrives intact, in its place among small ones, through the outbox", async () => {
    const [a, b] = await nodes("big", 2);
    const big = "ünïcødé ✓ 🚀 ".repeat(6000); // ~100 KB of UTF-8, far fewer characters than bytes
    expect(utf8Bytes(big)).toBeGreaterThan(100_000);
    // under the limit in characters, over it in bytes: must not go inline (it would be refused or cut)
    const sneaky = "é".repeat(MAX_NOTIFY_BYTES - 200);
    expect(sneaky.length).toBeLessThan(MAX_NOTIFY_BYTES);
    const sent: FanoutEvent[] = [];
    for (let i = 0; i < 30; i++) {
      const ev: FanoutEvent =
        i === 10 ? { sessionKey: "s1", i, text: big }
        : i === 20 ? { sessionKey: "s1", i, text: sneaky }
        : i === 25 ? { sessionKey: "s1", i, text: "a NUL \u0000, a lone surrogate \ud800, a quote \" and a backslash \\" } // JSON escapes survive both layers
        : { sessionKey: "s1", i, text: `small ${i}` };
      sent.push(ev);
      a!.f.publish(ev);
    }
    await a!.f.flush();
    await until(() => b!.got.length >= 30, "30 events at node b");
    expect(b!.got).toEqual(sent);
    expect(a!.f.stats().viaOutbox).toBe(2);
  });

  test("many large events of several sessions in one batch: each arrives whole, under its own session, in order", async () => {
    const [a, b] = await nodes("bigmany", 2);
    const sent: FanoutEvent[] = [];
    for (let i = 0; i < 60; i++) {
      const s = `s${i % 4}`;
      const ev: FanoutEvent = i % 3 === 0 ? { sessionKey: s, i, text: `${i}:`.repeat(4000 + i) } : { sessionKey: s, i };
      sent.push(ev);
      a!.f.publish(ev);
    }
    await a!.f.flush();
    await until(() => b!.got.length >= 60, "60 events at node b");
    for (const s of ["s0", "s1", "s2", "s3"]) expect(b!.got.filter((e) => e.sessionKey === s)).toEqual(sent.filter((e) => e.sessionKey === s));
    expect(a!.f.stats().viaOutbox).toBe(20);
    expect(b!.f.stats().lost).toBe(0);
  });

  test("three nodes: each receives every other node's events, none of its own", async () => {
    const ns = await nodes("three", 3);
    ns.forEach((n, i) => {
      for (let j = 0; j < 50; j++) n.f.publish({ sessionKey: `s${i}`, from: i, j });
    });
    await Promise.all(ns.map((n) => n.f.flush()));
    for (const [i, n] of ns.entries()) {
      await until(() => n.got.length >= 100, `100 events at node ${i}`);
      await Bun.sleep(50);
      expect(n.got.length).toBe(100);
      expect(n.got.some((e) => e.from === i)).toBe(false);
      for (const other of [0, 1, 2].filter((x) => x !== i)) {
        expect(n.got.filter((e) => e.from === other).map((e) => e.j)).toEqual(Array.from({ length: 50 }, (_, j) => j));
      }
    }
  });

  test("schemas are apart: a node on another schema hears nothing", async () => {
    const [a] = await nodes("apart_one", 1);
    const [other] = await nodes("apart_two", 1);
    const [b] = await nodes("apart_one", 1, { origin: "node-b" });
    a!.f.publish({ sessionKey: "s", x: 1 });
    await a!.f.flush();
    await until(() => b!.got.length === 1, "the event at the node on the same schema");
    await Bun.sleep(100);
    expect(other!.got).toEqual([]);
    expect(channelFor("apart_one")).not.toBe(channelFor("apart_two"));
    expect(channelFor("x".repeat(63)).length).toBeLessThanOrEqual(63);
    expect(channelFor("x".repeat(63))).not.toBe(channelFor("x".repeat(62) + "y"));
  });

  test("payloads that are not envelopes are ignored; the next real event still arrives", async () => {
    const [a, b] = await nodes("foreign", 2);
    const sql = new SQL(pg.url);
    await sql.unsafe("SELECT pg_notify($1, 'not json'), pg_notify($1, '{\"o\":1}')", [channelFor("foreign")]);
    await sql.close();
    a!.f.publish({ sessionKey: "s", ok: true });
    await a!.f.flush();
    await until(() => b!.got.length === 1, "the real event");
    expect(b!.got).toEqual([{ sessionKey: "s", ok: true }]);
  });

  test("LISTEN comes back by itself after the server restarts; what was sent meanwhile is counted as lost", async () => {
    const [a, b] = await nodes("restart", 2);
    a!.f.publish({ sessionKey: "s", i: 0 });
    await a!.f.flush();
    await until(() => b!.got.length === 1, "the first event");
    pg.halt("fast");
    a!.f.publish({ sessionKey: "s", i: 1 }); // the server is down: not sent
    await a!.f.flush();
    expect(a!.f.stats().failed).toBe(1);
    await until(() => !b!.f.stats().listening, "b to notice its LISTEN connection dropped");
    pg.restart();
    // publish until b hears again (its LISTEN connection reconnects with backoff)
    let i = 2;
    await until(() => {
      if (b!.got.length === 1) a!.f.publish({ sessionKey: "s", i: i++ });
      return b!.got.length > 1;
    }, "an event after the restart", 30_000);
    await a!.f.flush();
    const after = b!.got.slice(1).map((e) => e.i as number);
    expect(after[0]).toBeGreaterThanOrEqual(2);
    // every event a published (numbers 0..i-1) was received by b or counted lost there (a gap in a's counter): none vanish silently
    await until(() => b!.got.length + b!.f.stats().lost === i, "all of a's events accounted for");
    await Bun.sleep(50);
    expect(b!.got.length + b!.f.stats().lost).toBe(i);
    expect(b!.f.stats().lost).toBeGreaterThanOrEqual(1);
    expect(b!.f.stats().listening).toBe(true);
    // and the node sends again too
    await until(() => {
      if (!a!.got.some((e) => e.back === true)) b!.f.publish({ sessionKey: "s", back: true });
      return a!.got.some((e) => e.back === true);
    }, "b's event at a", 30_000);
  }, 60_000);

  test("outbox rows are pruned after the retention", async () => {
    let now = 1_000_000;
    const [a, b] = await nodes("prune", 2, { clock: () => now, retentionMs: 60_000, pruneEveryMs: 0 });
    const big = (tag: string) => ({ sessionKey: "s", tag, text: "x".repeat(20_000) });
    a!.f.publish(big("first"));
    await a!.f.flush();
    await until(() => b!.got.length === 1, "the first large event");
    const sql = new SQL(pg.url);
    const rows = async () => Number((await sql.unsafe("SELECT count(*) AS n FROM prune.fanout_outbox"))[0].n);
    expect(await rows()).toBe(1);
    now += 61_000;
    a!.f.publish(big("second")); // writing the second prunes the first (older than 60 s)
    await a!.f.flush();
    await until(() => b!.got.length === 2, "the second large event");
    expect(await rows()).toBe(1);
    expect(b!.got.map((e) => e.tag)).toEqual(["first", "second"]);
    now += 61_000;
    expect(await a!.f.prune()).toBe(1);
    expect(await rows()).toBe(0);
    await sql.close();
  });

  test("close() sends what is queued first, then publish() is a no-op; closing twice is fine", async () => {
    const [a, b] = await nodes("close", 2);
    for (let i = 0; i < 100; i++) a!.f.publish({ sessionKey: "s", i });
    await a!.f.close();
    await until(() => b!.got.length === 100, "the 100 queued events");
    a!.f.publish({ sessionKey: "s", i: 100 });
    await a!.f.close();
    expect(a!.f.stats().published).toBe(100);
  });

  test("close() with the server down: waits only the grace, then drops what is queued (counted as failed)", async () => {
    const [a] = await nodes("closedown", 1, { closeGraceMs: 300 });
    pg.halt("fast");
    try {
      for (let i = 0; i < 2000; i++) a!.f.publish({ sessionKey: "s", i });
      await a!.f.close();
      const st = a!.f.stats();
      expect(st.sent).toBe(0);
      expect(st.queued).toBe(0);
      await until(() => a!.f.stats().failed === 2000, "every queued event counted as failed");
    } finally {
      pg.restart();
    }
  }, 30_000);

  test("an unreachable database: opening the fan-out fails with a StorageError naming storage.url, without the password", async () => {
    const url = `postgres://postgres:pw-very-secret@localhost:1/postgres?host=${encodeURIComponent(pg.dir + "/nope")}`;
    const err = await openPgFanout({ url, schema: "x" }).catch((e: unknown) => e);
    expect((err as Error).name).toBe("StorageUnavailableError"); // a StorageError: the server cannot be reached
    expect((err as Error).message).toContain("storage.url");
    expect((err as Error).message).not.toContain("pw-very-secret");
  });
});

describe("the configured fan-out", () => {
  test("SQLite: the single-node fan-out, which sends and receives nothing", async () => {
    const f = await openConfiguredFanout(undefined);
    let heard = 0;
    f.onRemote(() => heard++);
    f.publish({ sessionKey: "s" });
    await f.flush();
    expect(heard).toBe(0);
    expect(f.stats()).toMatchObject({ kind: "single-node", published: 1, sent: 0 });
    expect(singleNodeFanout().stats().kind).toBe("single-node");
    expect(singleNodeFanout().multiNode).toBe(false);
    expect(f.multiNode).toBe(false);
    await f.close();
  });

  test("postgres: a PgFanout on storage.url and storage.schema", async () => {
    await openPgStore({ url: pg.url, schema: "configured" }).then((s) => s.close());
    const f = await openConfiguredFanout({ driver: "postgres", url: pg.url, schema: "configured" } as never);
    open.push(f as PgFanout);
    expect(f.stats()).toMatchObject({ kind: "postgres", listening: true });
    expect((f as PgFanout).channel).toBe(channelFor("configured"));
    await f.close();
  });
});

describe("FanoutReceiver (payloads fed directly, reads from a real outbox)", () => {
  test("events behind an outbox fetch wait for it; other sessions do not; gaps and missing rows are counted as lost", async () => {
    const store = await openPgStore({ url: pg.url, schema: "recv", max: 2 });
    open.push(store);
    const sql = new SQL(pg.url, { max: 1, connection: { search_path: "recv" } });
    const [row] = await sql.unsafe("INSERT INTO fanout_outbox (session_key, payload, created_at) VALUES ('s1', $1, 0) RETURNING id", [JSON.stringify({ sessionKey: "s1", big: true })]);
    const r = new FanoutReceiver({ sql, origin: "me", log: createLogger("test") });
    const got: FanoutEvent[] = [];
    r.on((e) => got.push(e));
    const env = (n: number, s: string, body: object) => JSON.stringify({ o: "peer", n, s, ...body });
    r.onPayload(env(1, "s1", { r: String(row.id) })); // fetched
    r.onPayload(env(2, "s1", { e: { sessionKey: "s1", after: 1 } })); // waits for the fetch
    r.onPayload(env(3, "s2", { e: { sessionKey: "s2", other: 1 } })); // another session: at once
    expect(got).toEqual([{ sessionKey: "s2", other: 1 }]);
    r.onPayload(env(4, "s1", { e: { sessionKey: "s1", after: 2 } }));
    r.onPayload(JSON.stringify({ o: "me", n: 99, s: "s1", e: { sessionKey: "s1", mine: true } })); // own: dropped
    await until(() => got.length === 4, "the fetched event and the two behind it");
    expect(got).toEqual([{ sessionKey: "s2", other: 1 }, { sessionKey: "s1", big: true }, { sessionKey: "s1", after: 1 }, { sessionKey: "s1", after: 2 }]);
    // a reference whose row is gone (pruned): skipped and counted; what follows still arrives
    r.onPayload(env(5, "s1", { r: "999999" }));
    r.onPayload(env(6, "s1", { e: { sessionKey: "s1", after: 3 } }));
    await until(() => got.length === 5, "the event after the missing row");
    expect(got.at(-1)).toEqual({ sessionKey: "s1", after: 3 });
    expect(r.counts.lost).toBe(1);
    // a jump in the origin's counter: two events were missed
    r.onPayload(env(9, "s3", { e: { sessionKey: "s3" } }));
    expect(r.counts).toMatchObject({ received: 6, lost: 3 });
    // the same number again (a batch sent twice): dropped
    r.onPayload(env(9, "s3", { e: { sessionKey: "s3", again: true } }));
    expect(r.counts).toMatchObject({ received: 6, repeats: 1 });
    // an envelope whose event names another session is not ours
    r.onPayload(env(10, "s3", { e: { sessionKey: "elsewhere" } }));
    expect(r.counts.foreign).toBe(1);
    r.close();
    await sql.close();
  });
});

describe("OutboxFetcher", () => {
  test("ids asked for in one tick are answered together: found, missing; after close, failed", async () => {
    const store = await openPgStore({ url: pg.url, schema: "fetch", max: 2 });
    open.push(store);
    const sql = new SQL(pg.url, { max: 1, connection: { search_path: "fetch" } });
    const rows = await sql.unsafe("INSERT INTO fanout_outbox (session_key, payload, created_at) VALUES ('s', 'one', 0), ('s', 'two', 0) RETURNING id");
    const f = new OutboxFetcher(sql);
    const [one, two, gone, oneAgain] = await Promise.all([f.get(String(rows[0].id)), f.get(String(rows[1].id)), f.get("424242"), f.get(String(rows[0].id))]);
    expect([one, two, gone, oneAgain]).toEqual([{ payload: "one" }, { payload: "two" }, { missing: true }, { payload: "one" }]);
    f.close();
    expect(await f.get(String(rows[0].id))).toEqual({ failed: "closed" });
    await sql.close();
  });
});
