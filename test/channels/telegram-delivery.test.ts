import { afterEach, expect, test } from "bun:test";
import { saveProgress } from "../../src/channels/telegram/delivery.ts";
import { TEXT } from "../../src/channels/telegram/turn.ts";
import { FakeTelegram } from "../fakes/telegram.ts";
import { say } from "../fakes/scripted-provider.ts";
import { OWNER, setup, sqliteStore, tempDbPath, type Harness } from "./harness.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function harness(opts: Parameters<typeof setup>[0]): Promise<Harness> {
  const h = await setup(opts);
  cleanups.push(() => h.close());
  return h;
}

test("restart mid-run (graceful stop): the update stays pending, the user is told once, nothing is re-run", async () => {
  const path = tempDbPath();
  const fake = await new FakeTelegram({ maxPollWaitMs: 200 }).start();
  cleanups.push(() => fake.stop());

  const store1 = await sqliteStore(path);
  const h1 = await setup({ script: [say.text("working on it", { hang: true })], store: store1, fake });
  fake.dm(OWNER, "important question");
  await fake.waitFor(() => fake.textsIn(OWNER).includes("working on it"), 5000, "preview");
  await h1.channel.stop();
  await h1.runtime.shutdown(50);
  await store1.close();

  for (let round = 0; round < 2; round++) {
    const store = await sqliteStore(path);
    const h = await setup({ script: [say.text("must not run")], store, fake });
    await fake.waitFor(() => fake.textsIn(OWNER).includes(TEXT.interrupted), 5000, "interrupted notice");
    await h.channel.inbox.idle();
    expect(h.provider.calls).toBe(0);
    expect(await store.inboxPending("telegram")).toEqual([]);
    await h.close();
    await store.close();
  }
  expect(fake.textsIn(OWNER)).toEqual(["working on it", TEXT.interrupted]);
});

test("crash mid-run (no shutdown): recoverInterrupted + restart tells the user once; new messages still work", async () => {
  const path = tempDbPath();
  const fake = await new FakeTelegram({ maxPollWaitMs: 200 }).start();
  cleanups.push(() => fake.stop());
  const store1 = await sqliteStore(path);
  const h1 = await setup({ script: [say.text("half", { hang: true })], store: store1, fake });
  cleanups.push(async () => {
    await h1.runtime.shutdown(10);
    await store1.close();
  });
  fake.dm(OWNER, "question");
  await fake.waitFor(() => fake.textsIn(OWNER).includes("half"), 5000, "preview");
  // "crash": the poller and inbox die with the process; the run never records an end.
  await h1.channel.stop();

  const store2 = await sqliteStore(path);
  const h2 = await setup({ script: [say.text("fresh answer")], store: store2, fake, start: false });
  cleanups.push(async () => {
    await h2.close();
    await store2.close();
  });
  const unfinished = await h2.runtime.recoverInterrupted();
  expect(unfinished.length).toBe(1);
  await h2.channel.start();
  await fake.waitFor(() => fake.textsIn(OWNER).includes(TEXT.interrupted), 5000, "interrupted notice");
  fake.dm(OWNER, "again");
  await fake.waitFor(() => fake.textsIn(OWNER).includes("fresh answer"), 5000, "new answer");
  expect(fake.textsIn(OWNER)).toEqual(["half", TEXT.interrupted, "fresh answer"]);
  expect(h2.provider.calls).toBe(1);
});

test("restart after the run finished but mid-delivery: only the missing chunks are sent, no re-run", async () => {
  const store = await sqliteStore();
  const paras = Array.from({ length: 3 }, (_, i) => `Chunk ${i} ` + "z".repeat(700));
  const h = await harness({ script: [say.text(paras.join("\n\n"))], store, start: false, telegram: { textChunkLimit: 1000, streaming: "off" } });
  cleanups.push(() => store.close());
  const updateId = h.fake.dm(OWNER, "write a lot");
  // the previous process: the run finished, chunk 0 went out, then the process died
  const run = await h.runtime.start({ sessionKey: "agent:main:main", agentId: "main", text: "write a lot", idempotencyKey: `telegram:${updateId}` });
  await run.done;
  const pending = { update_id: updateId, message: { message_id: 1, date: 0, chat: { id: OWNER, type: "private" }, from: { id: OWNER, is_bot: false, first_name: "O" }, text: "write a lot" } };
  expect(await store.inboxPut("telegram", String(updateId), pending)).toBe(true);
  await saveProgress(store, updateId, { chunksSent: 1 });

  await h.channel.start();
  await h.fake.waitFor(() => h.fake.sentTo(OWNER).length === 2, 5000, "remaining chunks");
  // the poller also delivers the same update_id: it must be ignored
  await h.fake.waitFor(() => h.channel.inbox.stats.duplicates === 1, 5000, "the polled copy to be seen as a duplicate");
  await h.channel.inbox.idle();
  expect(h.fake.textsIn(OWNER)).toEqual([paras[1]!, paras[2]!]);
  expect(h.provider.calls).toBe(1);
  expect(h.channel.inbox.stats.duplicates).toBe(1);
  expect(await store.inboxPending("telegram")).toEqual([]);
  expect(await store.kvGet("telegram.delivery", String(updateId))).toBeUndefined();
});

test("webhook: wrong or missing secret → 401 and nothing stored; right secret → stored, answered once", async () => {
  let route: ((r: Request) => Promise<Response>) | null = null;
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (r) => (route ? route(r) : new Response("not ready", { status: 503 })) });
  cleanups.push(async () => void server.stop(true));
  const secret = "wh_secret-0123456789abcdef";
  const h = await harness({
    script: () => say.text("webhook answer"),
    telegram: { webhookUrl: `http://127.0.0.1:${server.port}/telegram-webhook`, webhookSecret: secret },
  });
  const routes = h.channel.routes();
  expect(routes.map((r) => [r.method, r.path])).toEqual([["POST", "/telegram-webhook"]]);
  route = (r) => routes[0]!.handle(r);
  expect(h.fake.webhook).toEqual({ url: `http://127.0.0.1:${server.port}/telegram-webhook`, secret });

  const update = { update_id: 9_000_001, message: { message_id: 5, date: 0, chat: { id: OWNER, type: "private" }, from: { id: OWNER, is_bot: false, first_name: "O" }, text: "forged" } };
  const post = (headers: Record<string, string>, body: unknown = update) =>
    fetch(`http://127.0.0.1:${server.port}/telegram-webhook`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  expect((await post({})).status).toBe(401);
  expect((await post({ "x-telegram-bot-api-secret-token": "wrong" })).status).toBe(401);
  expect((await post({ "x-telegram-bot-api-secret-token": secret.slice(0, -1) })).status).toBe(401);
  expect(await h.store.inboxPending("telegram")).toEqual([]);
  expect((await post({ "x-telegram-bot-api-secret-token": secret }, { nope: 1 })).status).toBe(400);

  // Telegram itself delivers (the fake pushes with the secret it was given)
  h.fake.dm(OWNER, "via webhook");
  await h.fake.waitFor(() => h.fake.textsIn(OWNER).includes("webhook answer"), 5000, "answer");
  const pushed = h.fake.pushes[0]!;
  expect(pushed.status).toBe(200);
  await h.channel.inbox.idle();
  // a replay of the same update is acknowledged and ignored
  const replay = { update_id: pushed.updateId, message: { ...update.message, text: "via webhook" } };
  expect((await post({ "x-telegram-bot-api-secret-token": secret }, replay)).status).toBe(200);
  await h.channel.inbox.idle();
  expect(h.provider.calls).toBe(1);
  expect(h.fake.callsOf("getUpdates")).toEqual([]);
  expect(h.channel.status().mode).toBe("webhook");
});

test("webhook mode refuses to start without a secret", async () => {
  await expect(setup({ script: [], telegram: { webhookUrl: "https://example.com/hook" } })).rejects.toThrow(/webhookSecret/);
});

test("100 chats at once: every chat answered exactly once, with its own answer", async () => {
  const h = await harness({
    script: (req) => say.text(`answer to ${JSON.stringify(req.messages.at(-1)!.content).match(/question (\d+)/)![1]}`, { delayMs: 5 }),
    telegram: { dmPolicy: "open", allowFrom: [] },
    maxConcurrent: 32,
  });
  const users = Array.from({ length: 100 }, (_, i) => 50_000 + i);
  for (const [i, u] of users.entries()) h.fake.dm(u, `question ${i}`);
  await h.fake.waitFor(() => users.every((u) => h.fake.sentTo(u).length >= 1 && h.fake.sentTo(u)[0]!.text.startsWith("answer")), 20_000, "100 answers");
  await h.channel.inbox.idle(20_000);
  for (const [i, u] of users.entries()) expect(h.fake.textsIn(u)).toEqual([`answer to ${i}`]);
  expect(h.provider.calls).toBe(100);
  expect(await h.store.inboxPending("telegram")).toEqual([]);
});
