import { describe, expect, test } from "bun:test";
import { FakeGateway, settle } from "./fake-socket.ts";
import { createChat, MAX_MESSAGES } from "../src/composables/chat.ts";
import { entriesToMessages, messageText, type ToolPart } from "../src/lib/chat-model.ts";
import type { HistoryEntry } from "../src/rpc/types.ts";

const KEY = "agent:main:main";

function gateway(history: HistoryEntry[] = []) {
  let run = 0;
  const gw = new FakeGateway({
    "sessions.subscribe": () => ({ ok: true }),
    "sessions.unsubscribe": () => ({ ok: true }),
    "chat.history": (p: { before?: number; limit: number }) => {
      const upper = Math.min(history.length, (p.before ?? history.length + 1) - 1);
      const lower = Math.max(1, upper - p.limit + 1);
      const entries = history.filter((e) => e.seq >= lower && e.seq <= upper);
      return lower > 1 ? { entries, nextBefore: lower } : { entries };
    },
    "chat.send": () => ({ runId: `run_${String(++run).padStart(4, "0")}`, sessionKey: KEY, deduplicated: false }),
    "chat.abort": () => ({ aborted: true }),
  });
  return gw;
}

async function ready(gw: FakeGateway) {
  const conn = gw.connection();
  const chat = createChat(conn);
  conn.start();
  await settle();
  await chat.select(KEY);
  await settle();
  return chat;
}

const ev = (gw: FakeGateway, runId: string, event: Record<string, unknown>) => gw.notify("chat.event", { sessionKey: KEY, runId, event: { runId, sessionKey: KEY, ...event } });

describe("chat: a session's event stream", () => {
  test("streams a reply token by token, then records the outcome", async () => {
    const gw = gateway();
    const chat = await ready(gw);
    expect(await chat.send("hello")).toBe(true);
    await settle();
    expect(gw.sent.find((s) => s.method === "chat.send")?.params).toMatchObject({ sessionKey: KEY, text: "hello" });
    const runId = chat.activeRunId.value!;
    ev(gw, runId, { type: "text_delta", text: "Hel" });
    const reply = chat.messages.value[1]!;
    expect(reply.role).toBe("assistant");
    expect(reply.streaming).toBe(true);
    expect(messageText(reply)).toBe("Hel");
    ev(gw, runId, { type: "text_delta", text: "lo!" });
    expect(messageText(chat.messages.value[1]!)).toBe("Hello!");
    ev(gw, runId, { type: "final", text: "Hello!", outcome: "ok", durationMs: 5 });
    expect(chat.messages.value[1]!.streaming).toBe(false);
    expect(chat.lastOutcome.value).toBe("ok");
    expect(chat.activeRunId.value).toBeNull();
  });

  test("tool calls become cards with input, output, duration and sandbox level", async () => {
    const gw = gateway();
    const chat = await ready(gw);
    await chat.send("list files");
    const runId = chat.activeRunId.value!;
    ev(gw, runId, { type: "tool_call", toolCallId: "t1", name: "exec", input: { command: "ls" } });
    ev(gw, runId, { type: "tool_result", toolCallId: "t1", name: "exec", isError: false, output: "a.txt", durationMs: 12, sandbox: "strict" });
    ev(gw, runId, { type: "text_delta", text: "Done." });
    const parts = chat.messages.value[1]!.parts;
    expect(parts.map((p) => p.kind)).toEqual(["tool", "text"]);
    expect(parts[0]).toMatchObject({ name: "exec", input: { command: "ls" }, output: "a.txt", durationMs: 12, sandbox: "strict", done: true, isError: false });
  });

  test("abort sends chat.abort for the run; the aborted outcome shows", async () => {
    const gw = gateway();
    const chat = await ready(gw);
    await chat.send("long job");
    const runId = chat.activeRunId.value!;
    ev(gw, runId, { type: "text_delta", text: "work" });
    await chat.abort();
    expect(gw.sent.find((s) => s.method === "chat.abort")?.params).toEqual({ runId });
    ev(gw, runId, { type: "final", text: "work", outcome: "aborted", durationMs: 9, reason: "aborted by the client" });
    expect(chat.lastOutcome.value).toBe("aborted");
    expect(chat.messages.value[1]!.error).toBe("aborted by the client");
  });

  test("events of another session are not shown", async () => {
    const gw = gateway();
    const chat = await ready(gw);
    gw.notify("chat.event", { sessionKey: "agent:main:other", runId: "run_x", event: { type: "text_delta", text: "elsewhere" } });
    expect(chat.messages.value).toEqual([]);
  });

  test("a run started in another tab shows its user message (read from history) before the streamed reply", async () => {
    const history: HistoryEntry[] = [];
    const gw = gateway(history);
    const chat = await ready(gw);
    // the other tab's chat.send stored the user message with run_started (one commit)
    history.push({ seq: 1, ts: 1, kind: "message", role: "user", runId: "run_other", text: "from the other tab" });
    history.push({ seq: 2, ts: 1, kind: "run_started", runId: "run_other" });
    ev(gw, "run_other", { type: "run_started" });
    ev(gw, "run_other", { type: "text_delta", text: "Hi" });
    await settle();
    expect(chat.messages.value.map((m) => [m.role, messageText(m)])).toEqual([["user", "from the other tab"], ["assistant", "Hi"]]);
    // the sending tab itself does not fetch or duplicate its own message
    await chat.send("mine");
    const runId = chat.activeRunId.value!;
    const reads = gw.sent.filter((s) => s.method === "chat.history").length;
    ev(gw, runId, { type: "run_started" });
    await settle();
    expect(gw.sent.filter((s) => s.method === "chat.history").length).toBe(reads);
    expect(chat.messages.value.filter((m) => m.role === "user").map(messageText)).toEqual(["from the other tab", "mine"]);
  });

  test("1,000 streamed replies keep at most MAX_MESSAGES messages in state", async () => {
    const gw = gateway();
    const chat = await ready(gw);
    for (let i = 0; i < 1000; i++) {
      const runId = `run_${String(i).padStart(5, "0")}`;
      ev(gw, runId, { type: "text_delta", text: `reply ${i} ` });
      ev(gw, runId, { type: "text_delta", text: "more" });
      ev(gw, runId, { type: "final", text: `reply ${i} more`, outcome: "ok", durationMs: 1 });
      expect(chat.messages.value.length).toBeLessThanOrEqual(MAX_MESSAGES);
    }
    expect(chat.messages.value.length).toBe(MAX_MESSAGES);
    expect(messageText(chat.messages.value[MAX_MESSAGES - 1]!)).toBe("reply 999 more");
    expect(chat.hasOlder.value).toBe(true);
  });

  test("load older pages chat.history back from the oldest kept message, also after streamed ones were trimmed", async () => {
    // 300 stored runs (user + assistant + run_finished each = 900 entries)
    const history: HistoryEntry[] = [];
    for (let i = 0; i < 300; i++) {
      const runId = `run_${String(i).padStart(5, "0")}`;
      const seq = history.length;
      history.push({ seq: seq + 1, ts: i, kind: "message", role: "user", runId, text: `q${i}` });
      history.push({ seq: seq + 2, ts: i, kind: "message", role: "assistant", runId, text: `a${i}` });
      history.push({ seq: seq + 3, ts: i, kind: "run_finished", runId, outcome: "ok", durationMs: 1 });
    }
    const gw = gateway(history);
    const chat = await ready(gw);
    expect(chat.hasOlder.value).toBe(true);
    const first = messageText(chat.messages.value[0]!);
    await chat.loadOlder();
    const texts = chat.messages.value.map(messageText);
    expect(texts.indexOf(first)).toBeGreaterThan(0);
    const before = texts.slice(0, texts.indexOf(first));
    expect(before[before.length - 1]).toBe(`a${Number(first.slice(1)) - 1}`);

    // streamed messages have no seq: the older page is found through their run in the history
    chat.messages.value = chat.messages.value.slice(-4).map((m) => ({ ...m, seq: undefined }) as typeof m);
    const oldest = chat.messages.value[0]!;
    await chat.loadOlder();
    const idx = chat.messages.value.findIndex((m) => m.id === oldest.id);
    expect(idx).toBeGreaterThan(0);
    expect(chat.messages.value[idx - 1]!.runId < oldest.runId).toBe(true);
  });

  test("a reconnect reads the history again and resubscribes (events are not replayed)", async () => {
    const gw = gateway([{ seq: 1, ts: 1, kind: "message", role: "user", runId: "run_1", text: "stored" }]);
    const chat = await ready(gw);
    const subscribes = () => gw.sent.filter((s) => s.method === "sessions.subscribe").length;
    expect(subscribes()).toBe(1);
    gw.socket.drop(1006);
    await settle();
    gw.fire();
    await settle();
    expect(subscribes()).toBe(2);
    expect(chat.messages.value.map(messageText)).toEqual(["stored"]);
  });
});

describe("history entries → messages", () => {
  test("tool results join their call's card; the last run's outcome is kept", () => {
    const { messages, lastOutcome } = entriesToMessages([
      { seq: 1, ts: 1, kind: "message", role: "user", runId: "r1", text: "hi" },
      { seq: 2, ts: 2, kind: "run_started", runId: "r1" },
      { seq: 3, ts: 3, kind: "message", role: "assistant", runId: "r1", text: "", toolCalls: [{ id: "t1", name: "read", input: { path: "a" } }] },
      { seq: 4, ts: 4, kind: "tool_result", runId: "r1", results: [{ toolCallId: "t1", isError: true, text: "not found", durationMs: 42, sandbox: "strict" }] },
      { seq: 5, ts: 5, kind: "message", role: "assistant", runId: "r1", text: "It is missing." },
      { seq: 6, ts: 6, kind: "run_finished", runId: "r1", outcome: "aborted", durationMs: 3, reason: "stopped" },
    ]);
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "assistant"]);
    expect(messages[1]!.parts[0] as ToolPart).toMatchObject({ name: "read", output: "not found", isError: true, done: true, durationMs: 42, sandbox: "strict" });
    expect(lastOutcome).toBe("aborted");
    expect(messages[2]!.outcome).toBe("aborted");
  });
});
