// Two in-process gateway nodes on one PostgreSQL database (each its own runtime, PgStore, PgFanout
// and real HTTP/WS server on 127.0.0.1:0): a client on node A sees a run executing on node B exactly
// as a client on B does — JSON-RPC chat.event and OpenClaw chat/agent frames — and a client that
// reconnects resumes from the log by seq without gaps.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { z } from "zod";
import type { RunningServer } from "../../src/gateway/server.ts";
import { openPgFanout, type PgFanout } from "../../src/store/postgres/fanout.ts";
import { openPgStore, type PgStore } from "../../src/store/postgres/store.ts";
import { defineTool } from "../../src/tools/tool.ts";
import type { Tool } from "../../src/tools/types.ts";
import type { Provider } from "../../src/providers/types.ts";
import { say, ScriptedProvider } from "../fakes/scripted-provider.ts";
import { type PgServer, startPostgres } from "../support/postgres.ts";
import { ocConnect } from "./compat/oc-client.ts";
import { GatedProvider, type Harness, listen, makeHarness, TOKEN, waitFor, WsClient } from "./helpers.ts";

const shout = defineTool({
  name: "shout",
  description: "upper-cases its text",
  schema: z.object({ text: z.string() }),
  execute: (input) => input.text.toUpperCase(),
});

interface Node {
  name: string;
  h: Harness;
  srv: RunningServer;
  store: PgStore;
  fanout: PgFanout;
  ws: string;
}

let pg: PgServer;
const nodes: Node[] = [];
beforeAll(() => {
  pg = startPostgres();
});
afterAll(async () => {
  for (const n of nodes.splice(0)) {
    await n.srv.stop(true);
    await n.h.close();
    await n.fanout.close();
    await n.store.close();
  }
  pg?.stop();
});

async function node(name: string, schema: string, provider: Provider): Promise<Node> {
  const store = await openPgStore({ url: pg.url, schema, max: 4 });
  const fanout = await openPgFanout({ url: pg.url, schema, origin: name });
  const h = makeHarness({ provider, store, deps: { fanout } });
  h.runtime.withTools([shout as Tool]);
  const srv = listen(h);
  const n = { name, h, srv, store, fanout, ws: `ws://127.0.0.1:${srv.port}/ws` };
  nodes.push(n);
  return n;
}

const KEY = "agent:main:shared";

describe("chat.event across gateway nodes", () => {
  test("a client on A receives every chat.event of a run started through B, in order, as B's client sees them", async () => {
    const script = [say.tool("shout", { text: "hello" }), say.text("The answer is: HELLO. ünïcødé ✓ " + "x".repeat(12_000), { chunkSize: 700 })];
    const a = await node("a", "events", new ScriptedProvider([]));
    const b = await node("b", "events", new ScriptedProvider(script));
    const onA = await WsClient.connect(a.ws, { token: TOKEN });
    expect((await onA.call("sessions.subscribe", { sessionKey: KEY })).result).toEqual({ subscribed: true, sessionKey: KEY });
    const onB = await WsClient.connect(b.ws, { token: TOKEN });
    const sent = await onB.call("chat.send", { sessionKey: KEY, text: "shout hello" });
    const runId = sent.result.runId;
    await onB.until(() => onB.events(runId).some((e) => e.type === "final"), 10_000, "the final on B");
    await onA.until(() => onA.events(runId).some((e) => e.type === "final"), 10_000, "the final on A");
    const seenOnB = onB.events(runId);
    const types = seenOnB.map((e) => e.type);
    expect(types).toContain("tool_call");
    expect(types).toContain("tool_result");
    expect(types.filter((t) => t === "text_delta").length).toBeGreaterThan(10);
    expect(types.at(-1)).toBe("final");
    expect(onA.events(runId)).toEqual(seenOnB); // same events, same order, nothing cut
    expect(seenOnB.find((e) => e.type === "tool_result").output).toBe("HELLO");
    expect(b.fanout.stats().viaOutbox).toBeGreaterThanOrEqual(1); // the final (its whole text, over 8000 bytes) went through the outbox
    // a node runs only its own runs: A counted none
    expect(a.h.gw.metrics.live.messages).toBe(0);
    // gateway.memory shows the fan-out's counters
    const mem = (await onA.call("gateway.memory", {})).result.structures.fanout;
    expect(mem).toMatchObject({ kind: "postgres", origin: "a", listening: true, lost: 0, failed: 0 });
    expect(mem.received).toBeGreaterThanOrEqual(seenOnB.length);
    onA.close();
    onB.close();
  });

  test("a failed run on B: A's client gets the same client-safe error and final", async () => {
    const a = await node("a2", "errors", new ScriptedProvider([]));
    const b = await node("b2", "errors", new ScriptedProvider([say.error("upstream exploded at /srv/secret/path", { kind: "server" } as never)]));
    const onA = await WsClient.connect(a.ws, { token: TOKEN });
    await onA.call("sessions.subscribe", { sessionKey: KEY });
    const onB = await WsClient.connect(b.ws, { token: TOKEN });
    const runId = (await onB.call("chat.send", { sessionKey: KEY, text: "go" })).result.runId;
    await onB.until(() => onB.events(runId).some((e) => e.type === "final"), 10_000, "the final on B");
    await onA.until(() => onA.events(runId).some((e) => e.type === "final"), 10_000, "the final on A");
    expect(onA.events(runId)).toEqual(onB.events(runId));
    expect(onA.events(runId).map((e) => e.type)).toEqual(["error", "final"]);
    expect(onA.events(runId).at(-1).outcome).toBe("error");
    onA.close();
    onB.close();
  });

  test("a client that reconnects to A resumes from the log by seq without gaps, then streams B's next run", async () => {
    const gated = new GatedProvider();
    const a = await node("a3", "resume", new ScriptedProvider([]));
    const b = await node("b3", "resume", gated);
    // a first run, seen through A; the client remembers the last seq it has
    const first = await WsClient.connect(a.ws, { token: TOKEN });
    await first.call("sessions.subscribe", { sessionKey: KEY });
    const onB = await WsClient.connect(b.ws, { token: TOKEN });
    const run1 = (await onB.call("chat.send", { sessionKey: KEY, text: "one" })).result.runId;
    await first.until(() => first.events(run1).some((e) => e.type === "text_delta"), 10_000, "run 1's first delta on A");
    gated.release();
    await first.until(() => first.events(run1).some((e) => e.type === "final"), 10_000, "run 1's final on A");
    const h1 = (await first.call("chat.history", { sessionKey: KEY })).result.entries;
    const lastSeen = h1.at(-1).seq;
    first.close(); // the client goes away
    // run 2 on B while nobody on A listens
    const run2 = (await onB.call("chat.send", { sessionKey: KEY, text: "two" })).result.runId;
    await waitFor(() => gated.started === 2, "run 2 to start");
    gated.release();
    await onB.until(() => onB.events(run2).some((e) => e.type === "final"), 10_000, "run 2's final on B");
    // reconnect to A: subscribe first (nothing missed from now on), then read what came after lastSeen
    const again = await WsClient.connect(a.ws, { token: TOKEN });
    await again.call("sessions.subscribe", { sessionKey: KEY });
    const entries = (await again.call("chat.history", { sessionKey: KEY })).result.entries.filter((e: { seq: number }) => e.seq > lastSeen);
    expect(entries.map((e: { seq: number }) => e.seq)).toEqual(entries.map((_: unknown, i: number) => lastSeen + 1 + i)); // gap-free
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e: { runId?: string }) => e.runId === run2)).toBe(true);
    expect(entries.find((e: { kind: string; role?: string }) => e.kind === "message" && e.role === "assistant").text).toBe("thinking… done");
    expect(entries.at(-1)).toMatchObject({ kind: "run_finished", runId: run2, outcome: "ok" });
    // the same with `after`: forward from the last seq, in pages
    const resumed = (await again.call("chat.history", { sessionKey: KEY, after: lastSeen })).result;
    expect(resumed.entries).toEqual(entries);
    expect(resumed.nextAfter).toBeUndefined();
    const paged: unknown[] = [];
    for (let after: number | undefined = lastSeen; after !== undefined; ) {
      const page = (await again.call("chat.history", { sessionKey: KEY, after, limit: 1 })).result;
      paged.push(...page.entries);
      after = page.nextAfter;
    }
    expect(paged).toEqual(entries);
    expect((await again.call("chat.history", { sessionKey: KEY, after: entries.at(-1).seq })).result.entries).toEqual([]);
    const both = await again.call("chat.history", { sessionKey: KEY, after: 1, before: 3 });
    expect(JSON.stringify(both.error)).toContain("not both");
    // and live again: run 3 on B streams to the reconnected client on A
    const run3 = (await onB.call("chat.send", { sessionKey: KEY, text: "three" })).result.runId;
    await waitFor(() => gated.started === 3, "run 3 to start");
    gated.release();
    await again.until(() => again.events(run3).some((e) => e.type === "final"), 10_000, "run 3's final on A");
    await onB.until(() => onB.events(run3).some((e) => e.type === "final"), 10_000, "run 3's final on B");
    expect(again.events(run3)).toEqual(onB.events(run3));
    again.close();
    onB.close();
  });

  test("an OpenClaw client on A gets chat frames and sessions.changed for a run executing on B and for B's reset", async () => {
    const a = await node("a4", "compat", new ScriptedProvider([say.text("from A")]));
    const b = await node("b4", "compat", new ScriptedProvider([say.text("from B, in two", { chunkSize: 8 })]));
    const oc = await ocConnect(`ws://127.0.0.1:${a.srv.port}/`);
    expect((await oc.connect({ token: TOKEN })).ok).toBe(true);
    expect((await oc.request("sessions.subscribe", {})).ok).toBe(true);
    // chat.send on A subscribes the OpenClaw connection to the session (its run executes on A)
    const own = await oc.request("chat.send", { sessionKey: "shared", message: "hi", idempotencyKey: "k1" });
    await oc.until(() => oc.events("chat", own.payload.runId).find((e) => e.state === "final"), "A's own final");
    // now a run of that session through B
    const onB = await WsClient.connect(b.ws, { token: TOKEN });
    const runId = (await onB.call("chat.send", { sessionKey: KEY, text: "hello" })).result.runId;
    const final = await oc.until(() => oc.events("chat", runId).find((e) => e.state === "final"), "B's run's final on A", 10_000);
    const deltas = oc.events("chat", runId).filter((e) => e.state === "delta");
    expect(deltas.map((d) => d.deltaText).join("")).toBe("from B, in two");
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i));
    expect(final.message.content[0].text).toBe("from B, in two");
    expect(final.sessionKey).toBe(KEY);
    await oc.until(() => oc.events("sessions.changed").filter((e) => e.sessionKey === KEY && e.reason === "message").length >= 2, "sessions.changed for both runs");
    // a reset through B is announced on A too
    expect((await onB.call("sessions.reset", { sessionKey: KEY })).result).toBeDefined();
    await oc.until(() => oc.events("sessions.changed").find((e) => e.sessionKey === KEY && e.reason === "reset"), "sessions.changed for B's reset");
    oc.close();
    onB.close();
  });
});
