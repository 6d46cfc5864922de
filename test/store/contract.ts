// The SessionStore contract, run against every implementation (memory, SQLite).
import { describe, expect, test } from "bun:test";
import { InvalidParamsError, StorageError } from "../../src/core/errors.ts";
import type { StoredEventData } from "../../src/core/events.ts";
import type { SessionStore, StoreOptions } from "../../src/store/types.ts";

export const userMsg = (runId: string, text = "hi"): StoredEventData => ({
  type: "user_message",
  runId,
  message: { role: "user", content: [{ type: "text", text }] },
});

/** A clock the test moves by hand. */
export function fakeClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export function storeContract(name: string, make: (opts?: StoreOptions) => Promise<SessionStore>): void {
  describe(`${name}: SessionStore contract`, () => {
    test("ensureSession creates once and keeps fields of an existing session", async () => {
      const s = await make();
      const a = await s.ensureSession({ key: "agent:ops:main", channel: "telegram", peer: "42", title: "T" });
      expect(a).toMatchObject({ key: "agent:ops:main", agentId: "ops", channel: "telegram", peer: "42", title: "T", lastSeq: 0 });
      const b = await s.ensureSession({ key: "agent:ops:main", channel: "other", title: "X" });
      expect(b.channel).toBe("telegram");
      expect(b.title).toBe("T");
      expect(await s.getSession("nope")).toBeNull();
      await s.close();
    });

    test("append assigns gap-free seqs per session and validates payloads", async () => {
      const s = await make();
      const e1 = await s.append("k1", { data: userMsg("run_1") });
      const e2 = await s.append("k1", { data: { type: "run_started", runId: "run_1" } });
      const o1 = await s.append("k2", { data: userMsg("run_2") });
      expect([e1.seq, e2.seq, o1.seq]).toEqual([1, 2, 1]);
      expect(e1.type).toBe("user_message");
      await expect(s.append("k1", { data: { type: "nope" } as unknown as StoredEventData })).rejects.toBeInstanceOf(InvalidParamsError);
      // a batch with one bad payload writes nothing
      await expect(
        s.appendMany("k1", [{ data: { type: "session_reset" } }, { data: { type: "run_started" } as unknown as StoredEventData }]),
      ).rejects.toBeInstanceOf(InvalidParamsError);
      expect((await s.getSession("k1"))!.lastSeq).toBe(2);
      const many = await s.appendMany("k1", [{ data: { type: "session_reset" } }, { data: { type: "session_reset", reason: "x" } }]);
      expect(many.map((e) => e.seq)).toEqual([3, 4]);
      await s.close();
    });

    test("trusted appends skip the schema but still check the shape and stay atomic", async () => {
      const s = await make();
      const [u, r] = await s.appendMany("t", [{ data: userMsg("run_1") }, { data: { type: "run_started", runId: "run_1" } }], { trusted: true });
      expect([u!.seq, r!.seq]).toEqual([1, 2]);
      expect((await s.readRange("t", 1)).map((e) => e.data)).toEqual([userMsg("run_1"), { type: "run_started", runId: "run_1" }]);
      expect((await s.listUnfinishedRuns()).map((x) => x.runId)).toEqual(["run_1"]);
      await expect(s.append("t", { data: null as unknown as StoredEventData }, { trusted: true })).rejects.toBeInstanceOf(InvalidParamsError);
      await expect(s.append("t", { data: { type: "session_reset" }, idempotencyKey: "" }, { trusted: true })).rejects.toBeInstanceOf(InvalidParamsError);
      // without the flag the same kind of payload is validated (a missing runId is refused)
      await expect(s.append("t", { data: { type: "run_started" } as unknown as StoredEventData })).rejects.toBeInstanceOf(InvalidParamsError);
      expect((await s.getSession("t"))!.lastSeq).toBe(2);
      await s.close();
    });

    test("an append that creates its session sets the given metadata in the same commit; an existing session keeps its own", async () => {
      const s = await make();
      const meta = { agentId: "helper", channel: "gateway", peer: "p1" };
      // fresh appends (no idempotency key) and keyed ones take different paths in the store
      await s.appendMany("agent:main:fresh", [{ data: userMsg("run_1") }, { data: { type: "run_started", runId: "run_1" } }], { trusted: true, session: meta });
      await s.append("agent:main:keyed", { data: userMsg("run_2"), idempotencyKey: "k-1" }, { session: meta });
      for (const key of ["agent:main:fresh", "agent:main:keyed"]) {
        expect(await s.getSession(key)).toMatchObject({ agentId: "helper", channel: "gateway", peer: "p1" });
      }
      expect((await s.getSession("agent:main:fresh"))!.lastSeq).toBe(2);
      await s.ensureSession({ key: "agent:main:old", channel: "telegram" });
      await s.append("agent:main:old", { data: userMsg("run_3") }, { session: meta });
      expect(await s.getSession("agent:main:old")).toMatchObject({ agentId: "main", channel: "telegram", peer: null, lastSeq: 1 });
      // a rejected payload creates no session
      await expect(s.append("agent:main:bad", { data: { type: "nope" } as never }, { session: meta })).rejects.toThrow();
      expect(await s.getSession("agent:main:bad")).toBeNull();
      await s.close();
    });

    test("appends with `ts` keep that time (an import's), keyed or not; the session's updatedAt follows", async () => {
      const s = await make();
      const [a] = await s.appendMany("agent:main:imported", [{ data: userMsg("run_1") }], { ts: 1_000 });
      const [b] = await s.appendMany("agent:main:imported", [{ data: userMsg("run_2"), idempotencyKey: "imp-2" }], { ts: 2_000 });
      expect([a!.ts, b!.ts]).toEqual([1_000, 2_000]);
      expect((await s.readRange("agent:main:imported", 1)).map((e) => e.ts)).toEqual([1_000, 2_000]);
      expect((await s.getSession("agent:main:imported"))!.updatedAt).toBe(2_000);
      await s.close();
    });

    test("countSessions counts every session and follows deletes", async () => {
      const s = await make();
      expect(await s.countSessions()).toBe(0);
      for (let i = 0; i < 7; i++) await s.ensureSession({ key: `agent:${i % 2 ? "a" : "b"}:s${i}`, channel: i % 3 ? "telegram" : null });
      await s.append("agent:main:via-append", { data: userMsg("run_1") });
      expect(await s.countSessions()).toBe(8);
      expect(await s.deleteSession("agent:a:s1")).toBe(true);
      expect(await s.countSessions()).toBe(7);
      await s.close();
    });

    test("a retried append with the same idempotency key returns the first event", async () => {
      const s = await make();
      const a = await s.append("k", { data: userMsg("run_1", "one"), idempotencyKey: "idem-1" });
      const b = await s.append("k", { data: userMsg("run_1", "two"), idempotencyKey: "idem-1" });
      expect(b).toEqual(a);
      expect((await s.getSession("k"))!.lastSeq).toBe(1);
      expect((await s.findByIdempotencyKey("idem-1"))!.seq).toBe(1);
      expect(await s.findByIdempotencyKey("idem-2")).toBeNull();
      const [c, d] = await Promise.all([
        s.append("k", { data: userMsg("run_2"), idempotencyKey: "idem-2" }),
        s.append("k", { data: userMsg("run_2"), idempotencyKey: "idem-2" }),
      ]);
      expect(c!.seq).toBe(2);
      expect(d!.seq).toBe(2);
      await s.close();
    });

    test("readRange, readLatest and export", async () => {
      const s = await make();
      await s.appendMany("k", Array.from({ length: 10 }, (_, i) => ({ data: userMsg(`run_${i}`, `m${i}`) })));
      expect((await s.readRange("k", 3, 5)).map((e) => e.seq)).toEqual([3, 4, 5]);
      expect((await s.readRange("k", 8)).map((e) => e.seq)).toEqual([8, 9, 10]);
      expect((await s.readRange("k", 1, undefined, 2)).map((e) => e.seq)).toEqual([1, 2]);
      expect((await s.readLatest("k", 3)).map((e) => e.seq)).toEqual([8, 9, 10]);
      expect(await s.readLatest("none", 3)).toEqual([]);
      const lines = (await s.exportJsonl("k")).trim().split("\n").map((l) => JSON.parse(l));
      expect(lines[0]).toMatchObject({ type: "session", session: { key: "k", lastSeq: 10 } });
      expect(lines.slice(1).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(lines[5].data.message.content[0].text).toBe("m4");
      await s.close();
    });

    test("listSessions pages newest first and filters", async () => {
      const s = await make();
      for (let i = 0; i < 7; i++) {
        await s.ensureSession({ key: `agent:${i % 2 ? "a" : "b"}:s${i}`, channel: i < 3 ? "telegram" : "web" });
        await s.append(`agent:${i % 2 ? "a" : "b"}:s${i}`, { data: { type: "session_reset" } });
        await Bun.sleep(2);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const page = await s.listSessions({ limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((x) => x.key));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `agent:${i % 2 ? "a" : "b"}:s${i}`));
      expect((await s.listSessions({ agentId: "a" })).items.map((x) => x.key)).toEqual(["agent:a:s5", "agent:a:s3", "agent:a:s1"]);
      expect((await s.listSessions({ channel: "telegram" })).items).toHaveLength(3);
      await expect(s.listSessions({ cursor: "garbage!" })).rejects.toBeInstanceOf(InvalidParamsError);
      await s.close();
    });

    test("listSessions query: a case-insensitive substring of key, channel, peer or title; LIKE wildcards are literal", async () => {
      const s = await make();
      await s.ensureSession({ key: "agent:main:telegram:direct:4242", channel: "telegram", peer: "4242", title: "Trip planning" });
      await s.ensureSession({ key: "agent:main:web", channel: "web", peer: null, title: "100% done_ok" });
      await s.ensureSession({ key: "agent:ops:main" });
      const keys = async (query: string) => (await s.listSessions({ query })).items.map((x) => x.key).sort();
      expect(await keys("TELEGRAM")).toEqual(["agent:main:telegram:direct:4242"]);
      expect(await keys("trip PLAN")).toEqual(["agent:main:telegram:direct:4242"]);
      expect(await keys("42")).toEqual(["agent:main:telegram:direct:4242"]);
      expect(await keys("ops")).toEqual(["agent:ops:main"]);
      expect(await keys("agent:main")).toEqual(["agent:main:telegram:direct:4242", "agent:main:web"]);
      expect(await keys("%")).toEqual(["agent:main:web"]);
      expect(await keys("e_o")).toEqual(["agent:main:web"]);
      expect(await keys("a_e")).toEqual([]); // `_` is not a wildcard
      expect(await keys("nothing like it")).toEqual([]);
      expect((await s.listSessions({ query: "agent", channel: "web" })).items.map((x) => x.key)).toEqual(["agent:main:web"]);
      await s.close();
    });

    test("messageCounts counts user and assistant messages per session (0 for none or unknown)", async () => {
      const s = await make();
      await s.appendMany("k1", [
        { data: { type: "run_started", runId: "run_1" } },
        { data: userMsg("run_1") },
        { data: { type: "assistant_message", runId: "run_1", message: { role: "assistant", content: [{ type: "text", text: "yo" }] }, stopReason: "end_turn" } },
        { data: { type: "run_finished", runId: "run_1", outcome: "ok", durationMs: 5 } },
        { data: userMsg("run_2") },
      ]);
      await s.append("k2", { data: { type: "session_reset" } });
      expect(await s.messageCounts(["k1", "k2", "missing"])).toEqual({ k1: 3, k2: 0, missing: 0 });
      expect(await s.messageCounts([])).toEqual({});
      await s.close();
    });

    test("setTitle and deleteSession (idempotency keys of a deleted session are freed)", async () => {
      const s = await make();
      await s.append("k", { data: userMsg("run_1"), idempotencyKey: "i1" });
      await s.setTitle("k", "Hello");
      expect((await s.getSession("k"))!.title).toBe("Hello");
      expect(await s.deleteSession("k")).toBe(true);
      expect(await s.deleteSession("k")).toBe(false);
      expect(await s.getSession("k")).toBeNull();
      expect(await s.readLatest("k", 5)).toEqual([]);
      expect(await s.findByIdempotencyKey("i1")).toBeNull();
      const again = await s.append("k", { data: userMsg("run_1"), idempotencyKey: "i1" });
      expect(again.seq).toBe(1);
      await s.close();
    });

    test("listUnfinishedRuns finds runs without run_finished", async () => {
      const s = await make();
      await s.append("a", { data: userMsg("run_1") });
      await s.append("a", { data: { type: "run_started", runId: "run_1" } });
      await s.append("a", { data: { type: "run_finished", runId: "run_1", outcome: "ok", durationMs: 5 } });
      await s.append("a", { data: userMsg("run_2") });
      await s.append("b", { data: { type: "run_started", runId: "run_3" } });
      const runs = await s.listUnfinishedRuns();
      expect(runs.map((r) => [r.sessionKey, r.runId]).sort()).toEqual([["a", "run_2"], ["b", "run_3"]]);
      expect(typeof runs[0]!.startedAt).toBe("number");
      await s.close();
    });

    test("inbox de-duplicates and tracks pending; kv round-trips", async () => {
      const s = await make();
      expect(await s.inboxPut("telegram", "1", { text: "a" })).toBe(true);
      expect(await s.inboxPut("telegram", "1", { text: "again" })).toBe(false);
      expect(await s.inboxPut("telegram", "2", { text: "b" })).toBe(true);
      expect(await s.inboxPut("other", "1", {})).toBe(true);
      await s.inboxDone("telegram", "1");
      expect(await s.inboxPending("telegram")).toEqual([{ updateId: "2", payload: { text: "b" } }]);
      expect(await s.inboxPut("telegram", "1", {})).toBe(false);
      expect(await s.kvGet("tg", "offset")).toBeUndefined();
      await s.kvSet("tg", "offset", { n: 41 });
      await s.kvSet("tg", "offset", { n: 42 });
      expect(await s.kvGet("tg", "offset")).toEqual({ n: 42 });
      await s.close();
    });

    test("inbox prune: processed rows past the window go, the newest keepDoneMin and pending rows stay", async () => {
      const clock = fakeClock();
      const s = await make({ clock: clock.now, inboxRetention: { keepDoneMs: 60_000, keepDoneMin: 2 } });
      for (let i = 1; i <= 6; i++) await s.inboxPut("telegram", String(i), { i });
      await s.inboxPut("other", "1", {});
      for (let i = 1; i <= 5; i++) {
        await s.inboxDone("telegram", String(i));
        clock.advance(1000);
      }
      await s.inboxDone("other", "1");
      expect(await s.inboxPrune("telegram")).toBe(0); // all within the window
      clock.advance(120_000);
      expect(await s.inboxPrune("telegram")).toBe(3); // 1..3 go; 4 and 5 are the newest two
      expect(await s.inboxPending("telegram")).toEqual([{ updateId: "6", payload: { i: 6 } }]);
      expect(await s.inboxPut("telegram", "5", {})).toBe(false); // still de-duplicated
      expect(await s.inboxPut("telegram", "1", {})).toBe(true); // pruned: seen as new
      expect(await s.inboxPut("other", "1", {})).toBe(false); // another channel is pruned on its own
      await s.close();
    });

    test("inboxDone prunes its channel every so often, so processed rows do not pile up", async () => {
      const clock = fakeClock();
      const s = await make({ clock: clock.now, inboxRetention: { keepDoneMs: 0, keepDoneMin: 10 } });
      for (let i = 1; i <= 64; i++) {
        await s.inboxPut("telegram", String(i), {});
        await s.inboxDone("telegram", String(i));
        clock.advance(10);
      }
      expect(await s.inboxPut("telegram", "1", {})).toBe(true);
      expect(await s.inboxPut("telegram", "54", {})).toBe(true);
      expect(await s.inboxPut("telegram", "55", {})).toBe(false);
      expect(await s.inboxPut("telegram", "64", {})).toBe(false);
      await s.close();
    });

    test("deleteSession removes the inbox and delivery rows keyed to the session, and only those", async () => {
      const s = await make();
      const withOrigin = (runId: string, updateId: number): StoredEventData => ({ ...userMsg(runId), origin: { channel: "telegram", chatId: 1, updateId } } as StoredEventData);
      for (const [key, runId, updateId] of [["tg:a", "run_a", 7], ["tg:b", "run_b", 8]] as const) {
        await s.inboxPut("telegram", String(updateId), { update_id: updateId });
        await s.append(key, { data: withOrigin(runId, updateId) });
        await s.kvSet("telegram.delivery", String(updateId), { chunksSent: 1 });
        await s.inboxDone("telegram", String(updateId));
      }
      await s.inboxPut("telegram", "9", {}); // not tied to any session
      await s.kvSet("telegram.poll", "offset", 10);
      expect(await s.deleteSession("tg:a")).toBe(true);
      expect(await s.inboxPut("telegram", "7", {})).toBe(true); // its inbox row went with it
      expect(await s.kvGet("telegram.delivery", "7")).toBeUndefined();
      expect(await s.inboxPut("telegram", "8", {})).toBe(false);
      expect(await s.kvGet("telegram.delivery", "8")).toEqual({ chunksSent: 1 });
      expect((await s.inboxPending("telegram")).map((i) => i.updateId)).toEqual(["9", "7"]);
      expect(await s.kvGet("telegram.poll", "offset")).toBe(10);
      await s.close();
    });

    test("pairing records", async () => {
      const s = await make();
      const rec = { channel: "telegram", peerId: "7", code: "ABC123", status: "pending" as const, createdAt: 1, expiresAt: 2, meta: { name: "x" } };
      await s.pairingUpsert(rec);
      await s.pairingUpsert({ ...rec, peerId: "8", code: "XYZ999", createdAt: 3 });
      expect(await s.pairingGet("telegram", "7")).toEqual(rec);
      expect((await s.pairingByCode("telegram", "XYZ999"))!.peerId).toBe("8");
      expect(await s.pairingByCode("telegram", "nope")).toBeNull();
      await s.pairingUpsert({ ...rec, status: "approved" });
      expect((await s.pairingList("telegram", "approved")).map((r) => r.peerId)).toEqual(["7"]);
      expect((await s.pairingList()).map((r) => r.peerId)).toEqual(["7", "8"]);
      await s.close();
    });

    test("returned events are copies", async () => {
      const s = await make();
      const e = await s.append("k", { data: userMsg("run_1", "orig") });
      (e.data as { runId: string }).runId = "mutated";
      expect((await s.readLatest("k", 1))[0]!.data).toMatchObject({ runId: "run_1" });
      await s.close();
    });

    test("a closed store refuses calls", async () => {
      const s = await make();
      await s.close();
      await expect(s.getSession("k")).rejects.toBeInstanceOf(StorageError);
      await expect(s.append("k", { data: userMsg("run_1") })).rejects.toBeInstanceOf(StorageError);
    });
  });
}
