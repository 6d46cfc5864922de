import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSystemPrompt, loadBootstrap } from "../../src/agent/system-prompt.ts";
import { normalizeMessages, toMessages } from "../../src/agent/model-messages.ts";
import { HistoryCache, loadHistory, type PriorRun } from "../../src/agent/history.ts";
import type { Message } from "../../src/core/messages.ts";
import { ApiKey } from "../../src/core/secrets.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { say } from "../fakes/scripted-provider.ts";
import { countReads, makeRuntime } from "./helpers.ts";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "agent-ctx-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const text = (role: Message["role"], t: string): Message => ({ role, content: [{ type: "text", text: t }] });

describe("bootstrap files", () => {
  test("present files are included in order, missing ones skipped, each capped with a note", async () => {
    const ws = tmp();
    writeFileSync(join(ws, "SOUL.md"), "You are calm.");
    writeFileSync(join(ws, "AGENTS.md"), "Rule one.");
    writeFileSync(join(ws, "USER.md"), "x".repeat(25_000));
    const boot = await loadBootstrap(ws);
    expect(boot.indexOf("## AGENTS.md")).toBeLessThan(boot.indexOf("## SOUL.md"));
    expect(boot.indexOf("## SOUL.md")).toBeLessThan(boot.indexOf("## USER.md"));
    expect(boot).not.toContain("IDENTITY.md");
    expect(boot).toContain("[USER.md truncated: 5000 more characters not shown]");
    expect(boot.length).toBeLessThan(21_000 + 200);
  });

  test("the system prompt never carries a secret", async () => {
    const ws = tmp();
    const key = new ApiKey("sk-ant-api03-verysecretvalue1234");
    writeFileSync(join(ws, "AGENTS.md"), `use key ${key.reveal()} and token 123456789:AAbbccddeeffgghhiijjkkllmmnnooppqq`);
    const prompt = await buildSystemPrompt("base", ws);
    expect(prompt.startsWith("base")).toBe(true);
    expect(prompt).not.toContain("verysecretvalue");
    expect(prompt).not.toContain("AAbbccddeeff");
  });

  test("the runtime sends the bootstrap files in the system prompt", async () => {
    const ws = tmp();
    writeFileSync(join(ws, "IDENTITY.md"), "Name: Clawd");
    const { runtime, provider } = makeRuntime([say.text("hi")], { workspace: ws, systemPrompt: "BASE" });
    await runtime.processMessage("s", "hello");
    expect(provider.requests[0]!.system).toContain("BASE");
    expect(provider.requests[0]!.system).toContain("Name: Clawd");
  });
});

describe("history", () => {
  test("events are grouped by run in the order of each run's user message, after the latest reset", async () => {
    const store = new MemoryStore();
    const um = (runId: string, t: string) => ({ data: { type: "user_message" as const, runId, message: text("user", t) } });
    const am = (runId: string, t: string) => ({ data: { type: "assistant_message" as const, runId, message: text("assistant", t), stopReason: "end_turn" } });
    await store.appendMany("h", [um("r0", "old"), am("r0", "old answer"), { data: { type: "session_reset" } }]);
    await store.appendMany("h", [um("r1", "q1"), um("r2", "q2"), am("r1", "a1"), am("r2", "a2")]);
    const mine = await store.append("h", um("r3", "q3"));
    const later = await store.append("h", um("r4", "q4"));
    const h = await loadHistory(store, "h", mine.seq);
    expect(h.runs.map((r) => r.runId)).toEqual(["r1", "r2"]);
    expect(h.runs.map((r) => r.messages.map((m) => (m.content[0] as { text: string }).text))).toEqual([["q1", "a1"], ["q2", "a2"]]);
    expect((await loadHistory(store, "h", later.seq)).runs.map((r) => r.runId)).toEqual(["r1", "r2", "r3"]);
  });

  test("a compaction summary replaces the runs through throughSeq", async () => {
    const store = new MemoryStore();
    await store.appendMany("c", [
      { data: { type: "user_message", runId: "r1", message: text("user", "q1") } },
      { data: { type: "user_message", runId: "r2", message: text("user", "q2") } },
      { data: { type: "assistant_message", runId: "r1", message: text("assistant", "a1"), stopReason: "end_turn" } },
      { data: { type: "compaction", summary: "they talked about q1", throughSeq: 1 } },
    ]);
    const h = await loadHistory(store, "c", 100);
    expect(h.summary).toBe("they talked about q1");
    expect(h.runs.map((r) => r.runId)).toEqual(["r2"]);
  });

  test("normalisation drops unpaired tool blocks, merges roles, starts with the user", () => {
    const msgs = normalizeMessages([
      text("assistant", "orphan greeting"),
      text("user", "a"),
      { role: "assistant", content: [{ type: "text", text: "calling" }, { type: "tool_use", id: "t1", name: "x", input: {} }, { type: "tool_use", id: "t2", name: "x", input: {} }] },
      { role: "user", content: [{ type: "tool_result", toolUseId: "t1", content: [], isError: false }, { type: "tool_result", toolUseId: "zz", content: [], isError: false }] },
      text("user", "b"),
      text("assistant", ""),
    ]);
    expect(msgs.map((m) => [m.role, m.content.map((b) => (b.type === "tool_use" ? `use:${b.id}` : b.type === "tool_result" ? `res:${b.toolUseId}` : b.type === "text" ? b.text : b.type))])).toEqual([
      ["user", ["a"]],
      ["assistant", ["calling", "use:t1"]],
      ["user", ["res:t1", "b"]],
    ]);
  });
});

describe("history cache", () => {
  const um = (runId: string, t: string) => ({ data: { type: "user_message" as const, runId, message: text("user", t) } });
  const am = (runId: string, t: string) => ({ data: { type: "assistant_message" as const, runId, message: text("assistant", t), stopReason: "end_turn" } });
  const ids = (h: { runs: { runId: string }[] }) => h.runs.map((r) => r.runId);

  test("the cache is bounded by sessions and by its memory estimate (least recently used evicted, results unchanged)", async () => {
    const store = new MemoryStore();
    for (let s = 0; s < 6; s++) await store.appendMany(`b${s}`, [um(`r${s}`, "x".repeat(1000)), am(`r${s}`, "y")]);
    const bySessions = new HistoryCache({ maxSessions: 3 });
    for (let s = 0; s < 6; s++) for (let turn = 0; turn < 2; turn++) expect(ids(await bySessions.load(store, `b${s}`, 1e9))).toEqual([`r${s}`]); // cached from its second load
    expect(bySessions.size).toBe(3);
    const byMemory = new HistoryCache({ maxSessions: 100, maxBytes: 4000 }); // one session holds ~1,500: two fit
    for (let s = 0; s < 6; s++) for (let turn = 0; turn < 2; turn++) expect(await byMemory.load(store, `b${s}`, 1e9)).toEqual(await loadHistory(store, `b${s}`, 1e9));
    expect(byMemory.size).toBe(2);
    expect(byMemory.bytes).toBeLessThanOrEqual(4000);
    expect(byMemory.bytes).toBeGreaterThan(1000);
  });

  test("the memory bound counts the bytes of tool inputs: sessions with a 1 MB write are not counted as a few hundred characters", async () => {
    const store = new MemoryStore();
    const big = "é".repeat(512 * 1024); // 1 MiB of UTF-8 in the tool input
    for (let s = 0; s < 6; s++) {
      await store.appendMany(`w${s}`, [
        um(`r${s}`, "write it"),
        { data: { type: "assistant_message" as const, runId: `r${s}`, message: { role: "assistant" as const, content: [{ type: "tool_use" as const, id: `t${s}`, name: "write", input: { path: "a.txt", content: big } }] }, stopReason: "tool_use" } },
        { data: { type: "tool_result" as const, runId: `r${s}`, message: { role: "user" as const, content: [{ type: "tool_result" as const, toolUseId: `t${s}`, isError: false, content: [{ type: "text" as const, text: "ok" }] }] } } },
        am(`r${s}`, "done"),
      ]);
    }
    const cache = new HistoryCache({ maxSessions: 100, maxBytes: 4 * 1024 * 1024 });
    for (let s = 0; s < 6; s++) for (let turn = 0; turn < 2; turn++) expect(await cache.load(store, `w${s}`, 1e9)).toEqual(await loadHistory(store, `w${s}`, 1e9));
    expect(cache.size).toBe(3); // ~1 MiB each: three fit under 4 MiB, not six
    expect(cache.bytes).toBeGreaterThan(3 * 1024 * 1024);
    expect(cache.bytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    // one session larger than the whole cap is not cached at all
    const tiny = new HistoryCache({ maxSessions: 100, maxBytes: 512 * 1024 });
    for (let turn = 0; turn < 3; turn++) await tiny.load(store, "w0", 1e9);
    expect(tiny.size).toBe(0);
  });

  test("a session idle for idleMs is dropped by the sweep and its next load reads its log again; a used one stays", async () => {
    const store = new MemoryStore();
    const reads = countReads(store);
    let now = 1; // lru-cache reads a start of 0 as "no expiry"
    const cache = new HistoryCache({ idleMs: 60_000 }, () => now);
    await store.appendMany("idle", [um("r0", "q0"), am("r0", "a0")]);
    await store.appendMany("busy", [um("r1", "q1"), am("r1", "a1")]);
    for (let turn = 0; turn < 2; turn++) await cache.load(store, "idle", 1e9);
    for (let turn = 0; turn < 2; turn++) await cache.load(store, "busy", 1e9);
    expect(cache.size).toBe(2);
    now = 40_000;
    await cache.load(store, "busy", 1e9); // a turn: its idle time starts again
    now = 70_000;
    cache.sweep();
    expect(cache.size).toBe(1);
    reads.count = 0;
    await cache.load(store, "busy", 1e9);
    expect(reads.count).toBe(0); // still cached
    expect(ids(await cache.load(store, "idle", 1e9))).toEqual(["r0"]);
    expect(reads.count).toBeGreaterThan(0); // dropped: read from the store again
    expect(cache.size).toBe(1); // idle dropped it whole: it starts over as a session seen once
    await cache.load(store, "idle", 1e9);
    expect(cache.size).toBe(2);
    // never handed out stale even before a sweep ran
    now = 200_000;
    reads.count = 0;
    await cache.load(store, "busy", 1e9);
    expect(reads.count).toBeGreaterThan(0);
    cache.close();
    expect(cache.size).toBe(0);
  });

  test("admission: a session that comes back only after more than maxSessions others is never cached; one evicted for room is cached again", async () => {
    const store = new MemoryStore();
    const reads = countReads(store);
    for (let s = 0; s < 10; s++) await store.appendMany(`z${s}`, [um(`r${s}`, "q"), am(`r${s}`, "a")]);
    const cache = new HistoryCache({ maxSessions: 4 });
    // ten sessions in rotation through a cache of four: least-recently-used caching would only evict them unused
    for (let round = 0; round < 5; round++) {
      for (let s = 0; s < 10; s++) expect(await cache.load(store, `z${s}`, 1e9)).toEqual(await loadHistory(store, `z${s}`, 1e9));
    }
    expect(cache.size).toBe(0);
    expect(cache.seenSize).toBe(4); // keys only, bounded like the cache
    // three in rotation fit: cached from their second load, then read nothing
    for (let turn = 0; turn < 2; turn++) for (let s = 0; s < 3; s++) await cache.load(store, `z${s}`, 1e9);
    expect(cache.size).toBe(3);
    reads.count = 0;
    for (let s = 0; s < 3; s++) await cache.load(store, `z${s}`, 1e9);
    expect(reads.count).toBe(0);
    // two more sessions push z0 out for room; it comes back on its next load, as least-recently-used would have it
    for (const k of ["z5", "z6"]) for (let turn = 0; turn < 2; turn++) await cache.load(store, k, 1e9);
    expect(cache.size).toBe(4);
    await cache.load(store, "z0", 1e9);
    reads.count = 0;
    await cache.load(store, "z0", 1e9);
    expect(reads.count).toBe(0);
    // a deleted session leaves not even its key (z1 was pushed out by z0 and remembered by key)
    cache.forget("z0");
    cache.forget("z1");
    expect(cache.size).toBe(3);
    await cache.load(store, "z1", 1e9);
    expect(cache.size).toBe(3); // not cached: its key was forgotten, so this is its first load again
    cache.close();
  });

  test("events handed to the cache as they commit are not read back; a gap is read from the store", async () => {
    const store = new MemoryStore();
    const reads = countReads(store);
    const cache = new HistoryCache();
    await store.appendMany("k", [um("r0", "q0"), am("r0", "a0")]);
    for (let turn = 0; turn < 2; turn++) await cache.load(store, "k", 1e9);
    reads.count = 0;
    cache.appended("k", await store.appendMany("k", [um("r1", "q1"), am("r1", "a1")]));
    expect(ids(await cache.load(store, "k", 1e9))).toEqual(["r0", "r1"]);
    expect(reads.count).toBe(0);
    await store.appendMany("k", [um("r2", "q2")]); // another writer: not handed over
    cache.appended("k", await store.appendMany("k", [am("r2", "a2")])); // does not follow what the cache holds: ignored
    const h = await cache.load(store, "k", 1e9);
    expect(reads.count).toBe(2);
    expect(h).toEqual(await loadHistory(store, "k", 1e9));
  });

  test("incremental loads read only new events and agree with a fresh rebuild across compaction, reset and re-creation", async () => {
    const store = new MemoryStore();
    const reads = countReads(store);
    const cache = new HistoryCache();
    for (let i = 0; i < 50; i++) await store.appendMany("k", [um(`r${i}`, `q${i}`), am(`r${i}`, `a${i}`)]);
    for (let turn = 0; turn < 2; turn++) expect(ids(await cache.load(store, "k", 1e9)).length).toBe(50);
    reads.count = 0;
    await store.appendMany("k", [um("r50", "q50"), am("r50", "a50")]);
    const h = await cache.load(store, "k", 1e9);
    expect(reads.count).toBe(2);
    expect(h).toEqual(await loadHistory(store, "k", 1e9));

    const throughSeq = (await store.readRange("k", 1)).find((e) => e.data.type === "user_message" && e.data.runId === "r40")!.seq;
    await store.append("k", { data: { type: "compaction", summary: "S", throughSeq } });
    const compacted = await cache.load(store, "k", 1e9);
    expect(compacted.summary).toBe("S");
    expect(ids(compacted)).toEqual(["r41", "r42", "r43", "r44", "r45", "r46", "r47", "r48", "r49", "r50"]);
    expect(compacted).toEqual(await loadHistory(store, "k", 1e9));

    await store.append("k", { data: { type: "session_reset" } });
    await store.appendMany("k", [um("n1", "new")]);
    expect(await cache.load(store, "k", 1e9)).toEqual({ runs: [{ runId: "n1", userSeq: expect.any(Number), messages: [text("user", "new")] }] });

    await store.deleteSession("k");
    await new Promise((r) => setTimeout(r, 2));
    await store.appendMany("k", [um("x1", "other"), am("x1", "life")]);
    expect(ids(await cache.load(store, "k", 1e9))).toEqual(["x1"]);
  });
});

describe("toMessages over cached runs", () => {
  const u = (text: string): Message => ({ role: "user", content: [{ type: "text", text }] });
  const a = (text: string): Message => ({ role: "assistant", content: [{ type: "text", text }] });
  const call: Message = { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "x", input: {} }] };
  const result: Message = { role: "user", content: [{ type: "tool_result", toolUseId: "t1", content: [{ type: "text", text: "r" }], isError: false }] };

  test("self-contained runs pass as they are, again and again; a run changed afterwards is checked again", () => {
    const r1: PriorRun = { runId: "r1", userSeq: 1, messages: [u("a"), call, result, a("b")] };
    const r2: PriorRun = { runId: "r2", userSeq: 5, messages: [u("c"), a("d")] };
    const history = { runs: [r1, r2] };
    for (let i = 0; i < 2; i++) expect(toMessages(history, [u("now")]).map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user", "assistant", "user"]);
    expect(r1.selfContained).toBe(true);
    expect(r2.selfContained).toBe(true);
  });

  test("a run that does not stand alone (ends with a tool call) is normalised with what follows", () => {
    const open: PriorRun = { runId: "r1", userSeq: 1, messages: [u("a"), call] };
    const next: PriorRun = { runId: "r2", userSeq: 3, messages: [u("b"), a("c")] };
    const out = toMessages({ runs: [open, next] }, [u("now")]);
    expect(open.selfContained).toBe(false);
    // the unanswered tool call is dropped, and the two user messages around it merged
    expect(out.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(out.flatMap((m) => m.content.map((b) => (b.type === "text" ? b.text : b.type)))).toEqual(["a", "b", "c", "now"]);
  });

  test("HistoryCache clears the cached flag when a run gets a message", async () => {
    const store = new MemoryStore();
    const cache = new HistoryCache();
    const s = "agent:main:flag";
    const e1 = await store.appendMany(s, [{ data: { type: "user_message", runId: "r1", message: u("a") } }, { data: { type: "assistant_message", runId: "r1", message: a("b"), stopReason: "end_turn" } }]);
    await cache.load(store, s, 100); // seen once: the next load caches it
    cache.appended(s, e1);
    const h = await cache.load(store, s, 100);
    toMessages(h, [u("now")]);
    expect(h.runs[0]!.selfContained).toBe(true);
    const e2 = await store.append(s, { data: { type: "assistant_message", runId: "r1", message: call, stopReason: "tool_use" } });
    cache.appended(s, [e2]);
    expect(h.runs[0]!.selfContained).toBeUndefined();
    const out = toMessages(await cache.load(store, s, 100), [u("now")]);
    expect(out.some((m) => m.content.some((b) => b.type === "tool_use"))).toBe(false);
  });

  test("turn after turn the kept list agrees with a fresh walk: new runs, a prior run that grew, a summary, a shorter list", () => {
    // the oracle: the plain concatenation, normalised as a whole
    const fresh = (h: { summaryMessage?: Message; runs: PriorRun[] }, current: Message[]) =>
      normalizeMessages([...(h.summaryMessage ? [h.summaryMessage] : []), ...h.runs.flatMap((r) => r.messages), ...current]);
    const runs: PriorRun[] = [];
    const roles = (m: Message[]) => m.map((x) => `${x.role}:${x.content.map((b) => (b.type === "text" ? b.text : b.type)).join("+")}`);
    for (let i = 0; i < 30; i++) {
      const h = { runs: runs.slice() };
      const out = toMessages(h, [u(`now ${i}`)]);
      expect(roles(out)).toEqual(roles(fresh(h, [u(`now ${i}`)])));
      expect(out.length).toBe(2 * i + 1);
      runs.push({ runId: `r${i}`, userSeq: i * 2 + 1, messages: [u(`q${i}`), a(`a${i}`)] });
    }
    // a prior run gets another message (its tool call): the kept list is not reused
    runs[10]!.messages.push(call);
    runs[10]!.selfContained = undefined; // as HistoryCache does when a run gets a message
    expect(roles(toMessages({ runs: runs.slice() }, [u("later")]))).toEqual(roles(fresh({ runs }, [u("later")])));
    expect(toMessages({ runs: runs.slice() }, [u("later")]).some((m) => m.content.some((b) => b.type === "tool_use"))).toBe(false);
    // a shorter list with the same first run, then a summary in front
    expect(roles(toMessages({ runs: runs.slice(0, 3) }, [u("x")]))).toEqual(["user:q0", "assistant:a0", "user:q1", "assistant:a1", "user:q2", "assistant:a2", "user:x"]);
    const summaryMessage: Message = u("<conversation_summary>\nearlier\n</conversation_summary>");
    const withSummary = { summary: "earlier", summaryMessage, runs: runs.slice(20) };
    for (let i = 0; i < 2; i++) expect(roles(toMessages(withSummary, [u("y")]))).toEqual(roles(fresh(withSummary, [u("y")])));
    expect(toMessages(withSummary, [u("y")])[0]!.content).toEqual([...summaryMessage.content, { type: "text", text: "q20" }]);
    // merged once and kept: the same object turn after turn (normalizing would build a new one each time)
    expect(toMessages(withSummary, [u("z")])[0]).toBe(toMessages(withSummary, [u("y")])[0]!);
  });
});
