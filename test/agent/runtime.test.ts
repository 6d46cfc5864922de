import { describe, expect, test } from "bun:test";
import { z } from "zod";
import type { AgentEvent } from "../../src/agent/types.ts";
import { defineTool } from "../../src/tools/tool.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { say, ScriptedProvider } from "../fakes/scripted-provider.ts";
import { allEvents, countReads, deferred, echoTool, eventTypes, makeRuntime, until } from "./helpers.ts";

function firstText(events: AgentEvent[]): boolean {
  return events.some((e) => e.type === "text_delta");
}

describe("abort", () => {
  test("during streaming: outcome aborted, partial text stored marked aborted, next history well-formed", async () => {
    const { runtime, store, provider } = makeRuntime([say.text("partial reply", { hang: true }), say.text("fresh")]);
    const handle = await runtime.start({ sessionKey: "a", text: "go" });
    const seen: AgentEvent[] = [];
    const consume = (async () => { for await (const e of handle.events) seen.push(e); })();
    await until(() => firstText(seen));
    expect(runtime.abort({ runId: handle.runId })).toBe(true);
    const res = await handle.done;
    await consume;
    expect(res.outcome).toBe("aborted");
    expect(res.text).toBe("partial reply");
    expect(seen.at(-1)).toMatchObject({ type: "final", outcome: "aborted" });
    const stored = await allEvents(store, "a");
    expect(stored.map((e) => e.type)).toEqual(["user_message", "run_started", "assistant_message", "run_finished"]);
    expect(stored[2]!.data).toMatchObject({ stopReason: "aborted", message: { content: [{ type: "text", text: "partial reply" }] } });
    expect(stored[3]!.data).toMatchObject({ outcome: "aborted" });
    await runtime.processMessage("a", "again");
    expect(provider.requests[1]!.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
  });

  test("during a tool: the tool sees the abort, every tool_use has a stored result, no further model call", async () => {
    const started = deferred();
    let toolSawAbort = false;
    const hang = defineTool({
      name: "hang",
      description: "never finishes on its own",
      schema: z.object({}),
      execute: (_i, ctx) =>
        new Promise<string>((resolve) => {
          started.resolve();
          ctx.signal.addEventListener("abort", () => {
            toolSawAbort = true;
            resolve("stopped");
          });
        }),
    });
    const { runtime, store, provider } = makeRuntime([say.tools([{ name: "hang", input: {} }, { name: "hang", input: {} }]), say.text("unused"), say.text("after")]);
    runtime.withTools([hang]);
    const handle = await runtime.start({ sessionKey: "t", text: "go" });
    await started.promise;
    runtime.abort({ sessionKey: "t" });
    const res = await handle.done;
    expect(res.outcome).toBe("aborted");
    expect(toolSawAbort).toBe(true);
    expect(provider.calls).toBe(1);
    const stored = await allEvents(store, "t");
    expect(stored.map((e) => e.type)).toEqual(["user_message", "run_started", "assistant_message", "tool_result", "run_finished"]);
    const tr = stored[3]!.data;
    if (tr.type !== "tool_result") throw new Error();
    expect(tr.message.content.length).toBe(2);
    expect(tr.message.content.every((b) => b.type === "tool_result" && b.isError)).toBe(true);
    await runtime.processMessage("t", "next");
    const roles = provider.requests[1]!.messages.map((m) => m.role);
    expect(roles).toEqual(["user", "assistant", "user"]);
    // the merged user message has the tool results first, then the new text
    expect(provider.requests[1]!.messages[2]!.content.map((b) => b.type)).toEqual(["tool_result", "tool_result", "text"]);
  });

  test("while queued: finished at once as aborted, stored, and the queue moves on", async () => {
    const { runtime, store } = makeRuntime([say.text("slow", { delayMs: 30 }), say.text("third")]);
    const h1 = await runtime.start({ sessionKey: "q", text: "1" });
    const h2 = await runtime.start({ sessionKey: "q", text: "2" });
    const h3 = await runtime.start({ sessionKey: "q", text: "3" });
    expect(runtime.runs().map((r) => r.state)).toEqual(["running", "queued", "queued"]);
    expect(runtime.abort({ runId: h2.runId })).toBe(true);
    const r2 = await h2.done;
    expect(r2.outcome).toBe("aborted");
    expect((await h1.done).text).toBe("slow");
    expect((await h3.done).text).toBe("third");
    const finished = (await allEvents(store, "q")).filter((e) => e.type === "run_finished").map((e) => e.data);
    expect(finished).toContainEqual(expect.objectContaining({ runId: h2.runId, outcome: "aborted" }));
    expect(await store.listUnfinishedRuns()).toEqual([]);
  });

  test("an input signal aborts the run", async () => {
    const { runtime } = makeRuntime([say.text("x", { hang: true })]);
    const ctl = new AbortController();
    const h = await runtime.start({ sessionKey: "sig", text: "go", signal: ctl.signal });
    setTimeout(() => ctl.abort(), 5);
    expect((await h.done).outcome).toBe("aborted");
  });

  test("the wall-time limit stops a run as limit", async () => {
    const { runtime } = makeRuntime([say.text("x", { hang: true })], { limits: { maxWallMs: 20 } });
    const res = await runtime.processMessage("wall", "go");
    expect(res.outcome).toBe("limit");
    expect(res.reason).toContain("wall time");
  });
});

describe("scheduling", () => {
  test("100 concurrent sessions: per-session order kept, maxConcurrent respected", async () => {
    const order = new Map<string, string[]>();
    const provider = new ScriptedProvider((req) => {
      const last = req.messages.at(-1)!;
      const text = last.content.find((b) => b.type === "text");
      return say.text(`re:${text && text.type === "text" ? text.text : ""}`, { delayMs: 1 + Math.floor(Math.random() * 3) });
    });
    const { runtime } = makeRuntime(provider, { maxConcurrent: 7 });
    let running = 0;
    let maxRunning = 0;
    runtime.onEvent((e) => {
      if (e.type === "run_started") maxRunning = Math.max(maxRunning, ++running);
      if (e.type === "final") {
        running--;
        const list = order.get(e.sessionKey) ?? [];
        list.push(e.text);
        order.set(e.sessionKey, list);
      }
    });
    const handles = [];
    for (let m = 0; m < 3; m++) for (let s = 0; s < 100; s++) handles.push(runtime.start({ sessionKey: `s${s}`, text: `m${m}` }));
    const done = await Promise.all((await Promise.all(handles)).map((h) => h.done));
    expect(done.every((r) => r.outcome === "ok")).toBe(true);
    expect(order.size).toBe(100);
    for (const list of order.values()) expect(list).toEqual(["re:m0", "re:m1", "re:m2"]);
    expect(provider.maxActive).toBeLessThanOrEqual(7);
    expect(maxRunning).toBeLessThanOrEqual(7);
    expect(maxRunning).toBe(7);
    // each session's third request had the first two turns as history, in order
    const req = provider.requests.find((r) => r.messages.length === 5)!;
    const texts = req.messages.map((m) => (m.content[0] as { text: string }).text);
    expect(texts).toEqual(["m0", "re:m0", "m1", "re:m1", "m2"]);
  });

  test("a message stored while a run is in flight is not part of that run's history", async () => {
    const { runtime, provider, store } = makeRuntime([say.text("one", { delayMs: 20 }), say.text("two")]);
    const h1 = await runtime.start({ sessionKey: "i", text: "first" });
    const h2 = await runtime.start({ sessionKey: "i", text: "second" });
    await Promise.all([h1.done, h2.done]);
    expect(provider.requests[0]!.messages.length).toBe(1);
    expect(provider.requests[1]!.messages.map((m) => (m.content[0] as { text: string }).text)).toEqual(["first", "one", "second"]);
    // the log interleaves (second user message stored before the first run finished)
    expect((await eventTypes(store, "i")).slice(0, 3)).toEqual(["user_message", "run_started", "user_message"]);
  });
});

describe("durability and lifecycle", () => {
  test("idempotent start returns the first run (live and after it ended)", async () => {
    const { runtime, store } = makeRuntime([say.text("once", { delayMs: 10 }), say.text("never")]);
    const a = await runtime.start({ sessionKey: "idem", text: "hi", idempotencyKey: "k1" });
    const b = await runtime.start({ sessionKey: "idem", text: "hi", idempotencyKey: "k1" });
    expect(a.deduplicated).toBe(false);
    expect(b).toMatchObject({ deduplicated: true, runId: a.runId });
    expect((await b.done).text).toBe("once");
    const c = await runtime.start({ sessionKey: "idem", text: "hi", idempotencyKey: "k1" });
    expect(c).toMatchObject({ deduplicated: true, runId: a.runId });
    expect(await c.done).toMatchObject({ outcome: "ok", text: "once" });
    expect((await eventTypes(store, "idem")).filter((t) => t === "user_message").length).toBe(1);
  });

  test("a retried start of an ended run reads the log only up to that run's run_finished", async () => {
    const { runtime, store } = makeRuntime([say.text("first")]);
    const a = await runtime.start({ sessionKey: "idem-long", text: "hi", idempotencyKey: "k2" });
    await a.done;
    await store.appendMany("idem-long", Array.from({ length: 2000 }, () => ({ data: { type: "session_reset" as const } })));
    const reads = countReads(store);
    const again = await runtime.start({ sessionKey: "idem-long", text: "hi", idempotencyKey: "k2" });
    expect(await again.done).toMatchObject({ runId: a.runId, outcome: "ok", text: "first" });
    expect(reads.count).toBeLessThanOrEqual(512);
  });

  test("recoverInterrupted marks runs left unfinished by a crash", async () => {
    const store = new MemoryStore();
    await store.append("crash", { data: { type: "user_message", runId: "run_x", message: { role: "user", content: [{ type: "text", text: "hi" }] } } });
    await store.append("crash", { data: { type: "run_started", runId: "run_x" } });
    const { runtime } = makeRuntime([]);
    runtime.withStore(store);
    const list = await runtime.recoverInterrupted();
    expect(list.map((u) => u.runId)).toEqual(["run_x"]);
    expect((await allEvents(store, "crash")).at(-1)!.data).toMatchObject({ type: "run_finished", outcome: "interrupted" });
    expect(await runtime.recoverInterrupted()).toEqual([]);
  });

  test("resetSession starts history fresh", async () => {
    const { runtime, provider } = makeRuntime([say.text("a"), say.text("b")]);
    await runtime.processMessage("r", "before");
    await runtime.resetSession("r");
    await runtime.processMessage("r", "after");
    expect(provider.requests[1]!.messages.length).toBe(1);
  });

  test("shutdown refuses new runs, waits for the grace period, then aborts the rest", async () => {
    const { runtime, store } = makeRuntime([say.text("quick"), say.text("x", { hang: true })]);
    const quick = await runtime.start({ sessionKey: "sd1", text: "go" });
    const stuck = await runtime.start({ sessionKey: "sd2", text: "go" });
    await runtime.shutdown(30);
    expect((await quick.done).outcome).toBe("ok");
    expect((await stuck.done).outcome).toBe("aborted");
    await expect(runtime.start({ sessionKey: "sd3", text: "late" })).rejects.toThrow("shutting down");
    expect(await store.listUnfinishedRuns()).toEqual([]);
  });

  test("stream() yields the run's events from run_started to final", async () => {
    const { runtime } = makeRuntime([say.tool("echo", { text: "x" }), say.text("done", { chunkSize: 2 })]);
    runtime.withTools([echoTool()]);
    const types: string[] = [];
    for await (const e of runtime.stream({ sessionKey: "st" }, "go")) types.push(e.type);
    expect(types).toEqual(["run_started", "tool_call", "tool_result", "text_delta", "text_delta", "final"]);
  });

  test("invalid input is refused with InvalidParamsError before anything is stored", async () => {
    const { runtime, store } = makeRuntime([]);
    await expect(runtime.start({ sessionKey: "", text: "x" })).rejects.toThrow("invalid run input");
    expect((await store.listSessions()).items).toEqual([]);
  });
});

describe("sessions", () => {
  test("the first message creates its session with the run's agent, channel and peer; later ones leave it alone", async () => {
    const { runtime, store } = makeRuntime([say.text("one"), say.text("two")]);
    const first = await runtime.start({ sessionKey: "agent:main:tg-1", text: "hi", channel: "telegram", peer: "u1" });
    expect(await store.getSession("agent:main:tg-1")).toMatchObject({ agentId: "main", channel: "telegram", peer: "u1" });
    await first.done;
    await (await runtime.start({ sessionKey: "agent:main:tg-1", text: "again", channel: "gateway" })).done;
    expect(await store.getSession("agent:main:tg-1")).toMatchObject({ channel: "telegram", peer: "u1", lastSeq: 8 });
  });
});
