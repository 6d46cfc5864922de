import { afterEach, expect, test } from "bun:test";
import { say } from "../fakes/scripted-provider.ts";
import { OWNER, setup, type Harness } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function chatCalls(h: Harness, chatId: number, methods: string[]) {
  return h.fake.calls.filter((c) => methods.includes(c.method) && Number(c.params.chat_id) === chatId);
}

// The spacing itself is asserted in virtual time (telegram-throttle.test.ts); here, the real channel.
test("partial streaming: one message edited as text arrives", async () => {
  const throttle = 120;
  const text = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
  h = await setup({ script: [say.text(text, { chunkSize: 6, chunkDelayMs: 8 })], telegram: { editThrottleMs: throttle, streaming: "partial" } });
  h.fake.dm(OWNER, "stream please");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER)[0] === text, 8000, "final text");
  await h.channel.inbox.idle();
  const sent = h.fake.sentTo(OWNER);
  expect(sent.length).toBe(1); // one message, edited in place
  expect(sent[0]!.edits.length).toBeGreaterThanOrEqual(2);
  const ops = chatCalls(h, OWNER, ["sendMessage", "editMessageText"]).filter((c) => c.status === 200);
  // previews are plain text; the final edit is HTML
  expect(ops[0]!.params.parse_mode).toBeUndefined();
  expect(ops.at(-1)!.params.parse_mode).toBe("HTML");
});

test("a long reply is chunked on paragraph boundaries under textChunkLimit", async () => {
  const paras = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}: ` + "lorem ipsum ".repeat(20).trim());
  const long = paras.join("\n\n");
  h = await setup({ script: [say.text(long)], telegram: { textChunkLimit: 1000, streaming: "off" } });
  h.fake.dm(OWNER, "tell me everything");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).join("\n\n").length >= long.length - 10, 8000, "all chunks");
  const texts = h.fake.textsIn(OWNER);
  expect(texts.length).toBeGreaterThan(5);
  for (const t of texts) {
    expect(t.length).toBeLessThanOrEqual(1000);
    expect(t.startsWith("Paragraph ")).toBe(true);
  }
  expect(texts.join("\n\n")).toBe(long);
});

test("partial streaming of a long reply: the preview becomes chunk 1, the rest follow", async () => {
  const long = Array.from({ length: 12 }, (_, i) => `Part ${i} ` + "x".repeat(180)).join("\n\n");
  h = await setup({ script: [say.text(long, { chunkSize: 400, chunkDelayMs: 5 })], telegram: { textChunkLimit: 1000, streaming: "partial" } });
  h.fake.dm(OWNER, "long");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).join("\n\n") === long, 8000, "long reply");
  expect(h.fake.sentTo(OWNER)[0]!.edits.length).toBeGreaterThanOrEqual(1);
});

test("HTML refused by Telegram falls back to plain text", async () => {
  h = await setup({ script: [say.text("**bold** claim")], telegram: { streaming: "off" } });
  h.fake.failNext("sendMessage", { code: 400, description: "Bad Request: can't parse entities: Unsupported start tag \"b\" at byte offset 0", when: (p) => p.parse_mode === "HTML" });
  h.fake.dm(OWNER, "hi");
  await h.fake.waitFor(() => h!.fake.sentTo(OWNER).length === 1, 5000, "fallback reply");
  const m = h.fake.sentTo(OWNER)[0]!;
  expect(m.parse_mode).toBeUndefined();
  expect(m.text).toBe("**bold** claim");
});

test("429 on a send is retried (auto-retry), then delivered once", async () => {
  h = await setup({ script: [say.text("after the flood")], telegram: { streaming: "off" } });
  h.fake.rateLimitNext("sendMessage", 1);
  h.fake.dm(OWNER, "hi");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).length === 1, 8000, "reply after 429");
  const sends = chatCalls(h, OWNER, ["sendMessage"]);
  expect(sends.map((c) => c.status)).toEqual([429, 200]);
  expect(h.fake.textsIn(OWNER)).toEqual(["after the flood"]);
  expect(h.channel.status().details).toMatchObject({ rateLimited: 1 });
});

test("429 on a preview edit is retried and the reply completes", async () => {
  const text = "a b c d e f g h i j k l m n o p q r s t u v w x y z ".repeat(4);
  h = await setup({ script: [say.text(text, { chunkSize: 4, chunkDelayMs: 15 })], telegram: { editThrottleMs: 50, streaming: "partial" } });
  h.fake.rateLimitNext("editMessageText", 1);
  h.fake.dm(OWNER, "go");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER)[0] === text.trim(), 8000, "final");
  const edits = chatCalls(h, OWNER, ["editMessageText"]);
  const limited = edits.findIndex((c) => c.status === 429);
  expect(limited).toBeGreaterThanOrEqual(0);
  expect(edits[limited + 1]!.status).toBe(200);
  expect(edits[limited + 1]!.params.text).toBe(edits[limited]!.params.text); // the same edit, retried
  expect(h.channel.status().details).toMatchObject({ rateLimited: 1 });
});

test("progress mode: tool activity as status lines, the answer as a new message", async () => {
  h = await setup({ script: [say.tool("lookup", { q: "x" }), say.text("found it")], telegram: { streaming: "progress" } });
  h.fake.dm(OWNER, "search");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).includes("found it"), 5000, "answer");
  const texts = h.fake.textsIn(OWNER);
  expect(texts.length).toBe(2);
  expect(texts[0]).toContain("lookup");
});

test("a user who blocked the bot: the reply is dropped, nothing crashes", async () => {
  h = await setup({ script: () => say.text("you won't see this") });
  h.fake.block(OWNER);
  h.fake.dm(OWNER, "hi");
  await h.fake.waitFor(() => h!.provider.calls === 1, 5000, "run");
  await h.channel.inbox.idle();
  expect(await h.store.inboxPending("telegram")).toEqual([]);
  expect(h.fake.sentTo(OWNER)).toEqual([]);
  expect(h.channel.status().running).toBe(true);
});
