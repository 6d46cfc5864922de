import { afterEach, expect, test } from "bun:test";
import { say } from "../fakes/scripted-provider.ts";
import { OWNER, STRANGER, setup, type Harness } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

test("/stop mid-run aborts the run; the command answers, the turn stays quiet", async () => {
  h = await setup({ script: [say.text("thinking out loud", { hang: true })] });
  h.fake.dm(OWNER, "long task");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).includes("thinking out loud"), 5000, "preview");
  h.fake.dm(OWNER, "/stop");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).includes("Stopped."), 5000, "stop reply");
  await h.channel.inbox.idle();
  const events = await h.store.readLatest("agent:main:main", 10);
  const finished = events.find((e) => e.data.type === "run_finished");
  expect(finished?.data).toMatchObject({ outcome: "aborted" });
  expect(h.fake.textsIn(OWNER)).toEqual(["thinking out loud", "Stopped."]);
  expect(await h.store.inboxPending("telegram")).toEqual([]);
});

test("/new mid-run aborts and starts a fresh session: the next turn sees no old history", async () => {
  h = await setup({ script: [say.text("old", { hang: true }), say.text("fresh start")] });
  h.fake.dm(OWNER, "remember the number 42");
  await h.fake.waitFor(() => h!.provider.calls === 1 && h!.fake.sentTo(OWNER).length === 1, 5000, "first run");
  h.fake.dm(OWNER, "/new");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).includes("Started a new session."), 5000, "new reply");
  h.fake.dm(OWNER, "what number?");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).includes("fresh start"), 5000, "fresh answer");
  const msgs = JSON.stringify(h.provider.requests[1]!.messages);
  expect(msgs).not.toContain("42");
  expect(msgs).toContain("what number?");
});

test("/status, /help, /start answer without a model call; strangers cannot use commands", async () => {
  h = await setup({ script: [say.text("hi", { usage: { inputTokens: 7, outputTokens: 3 } })], config: { agents: { defaults: { model: "anthropic/claude-test" } } } });
  h.fake.dm(OWNER, "hello");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).includes("hi"), 5000, "answer");
  await h.channel.inbox.idle();
  h.fake.dm(OWNER, "/status");
  h.fake.dm(OWNER, "/help");
  h.fake.dm(OWNER, "/start");
  h.fake.dm(STRANGER, "/new");
  await h.fake.waitFor(() => h!.fake.sentTo(OWNER).length === 4, 5000, "command replies");
  await h.channel.inbox.idle();
  const [, status, help, start] = h.fake.textsIn(OWNER);
  expect(status).toContain("Model: anthropic/claude-test");
  expect(status).toContain("Session: agent:main:main");
  expect(status).toContain("Tokens: 7 in / 3 out");
  expect(help).toContain("/new");
  expect(start).toContain("Hi!");
  expect(h.provider.calls).toBe(1);
  expect(h.fake.sentTo(STRANGER)).toEqual([]);
  expect((await h.store.readLatest("agent:main:main", 5)).some((e) => e.data.type === "session_reset")).toBe(false);
});

test("a photo reaches the model as an image block, with its caption", async () => {
  h = await setup({ script: [say.text("a tiny image")] });
  h.fake.photo(OWNER, PNG, "what is this?");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).includes("a tiny image"), 5000, "answer");
  const content = h.provider.requests[0]!.messages.at(-1)!.content;
  expect(content[0]).toEqual({ type: "image", mediaType: "image/jpeg", data: Buffer.from(PNG).toString("base64") });
  expect(content[1]).toEqual({ type: "text", text: "what is this?" });
  expect(h.fake.callsOf("getFile").length).toBe(1);
});

test("a photo over mediaMaxMb is refused before download", async () => {
  h = await setup({ script: [say.text("never")], telegram: { mediaMaxMb: 0.000001 } });
  h.fake.photo(OWNER, PNG);
  await h.fake.waitFor(() => h!.fake.sentTo(OWNER).length === 1, 5000, "refusal");
  expect(h.fake.textsIn(OWNER)[0]).toContain("too large");
  expect(h.provider.calls).toBe(0);
});

test("a text document is inlined; other media get a clear 'not supported yet'", async () => {
  h = await setup({ script: [say.text("read it")] });
  h.fake.document(OWNER, "notes.txt", "text/plain", new TextEncoder().encode("line one\nline two"), "summarise");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).includes("read it"), 5000, "answer");
  const text = JSON.stringify(h.provider.requests[0]!.messages.at(-1)!.content);
  expect(text).toContain("[file: notes.txt]");
  expect(text).toContain("line one\\nline two");
  expect(text).toContain("summarise");
  h.fake.voice(OWNER);
  h.fake.document(OWNER, "archive.zip", "application/zip", new Uint8Array([1, 2]));
  await h.fake.waitFor(() => h!.fake.sentTo(OWNER).length === 3, 5000, "refusals");
  const [, voice, zip] = h.fake.textsIn(OWNER);
  expect(voice).toContain("can't handle voice messages yet");
  expect(zip).toContain("can't handle application/zip file yet");
  expect(h.provider.calls).toBe(1);
});
