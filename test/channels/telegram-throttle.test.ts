// The per-chat edit throttle, in virtual time: a real ReplyPresenter and TelegramSender on a real
// grammY Api (with the production transformers) against the fake Bot API, with a FakeClock.
import { afterEach, expect, test } from "bun:test";
import { Bot } from "grammy";
import { installTransformers } from "../../src/channels/telegram/api.ts";
import { TelegramSender } from "../../src/channels/telegram/send.ts";
import { ChatThrottle, ReplyPresenter, type DeliveryProgress } from "../../src/channels/telegram/stream.ts";
import { createLogger } from "../../src/core/log.ts";
import { FakeTelegram, FAKE_TOKEN } from "../fakes/telegram.ts";
import { FakeClock } from "./fake-clock.ts";
import { OWNER } from "./harness.ts";

const THROTTLE = 1000;
let fake: FakeTelegram | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function rig(mode: "partial" | "progress" = "partial") {
  fake = await new FakeTelegram().start();
  fake.dm(OWNER, "hi"); // the chat exists
  const clock = new FakeClock();
  const bot = new Bot(FAKE_TOKEN, { client: { apiRoot: fake.url, fetch: globalThis.fetch as never, baseFetchConfig: {} } });
  const counters = { rateLimited: 0 };
  installTransformers(bot.api, counters);
  const at: { method: string; at: number }[] = [];
  bot.api.config.use((prev, method, payload, signal) => {
    at.push({ method, at: clock.now() });
    return prev(method, payload, signal);
  });
  const log = createLogger("test");
  const sender = new TelegramSender(bot.api, { log, counters, sleep: clock.sleep });
  const progress: DeliveryProgress = { chunksSent: 0 };
  const presenter = new ReplyPresenter({
    sender, throttle: new ChatThrottle(THROTTLE, clock), target: { chatId: OWNER }, mode, chunkLimit: 4000, log, progress, save: async () => {},
  });
  const f = fake;
  const settled = (what: string) => f.waitFor(() => clock.pending === 1, 5000, what);
  return { fake: f, clock, presenter, at, settled, edits: () => at.filter((c) => c.method === "editMessageText" || c.method === "sendMessage") };
}

test("previews in one chat are spaced by the throttle, in virtual time; stale text is skipped, not queued", async () => {
  const r = await rig();
  r.presenter.text("one");
  await r.fake.waitFor(() => r.fake.textsIn(OWNER)[0] === "one", 5000, "first preview");
  r.presenter.text(" two");
  r.presenter.text(" three");
  await r.settled("the loop to wait for the throttle");
  expect(r.edits().length).toBe(1);
  r.clock.advance(THROTTLE - 1);
  await Bun.sleep(0);
  expect(r.clock.pending).toBe(1); // not yet due: nothing sent
  expect(r.edits().length).toBe(1);
  r.clock.advance(1);
  await r.fake.waitFor(() => r.fake.textsIn(OWNER)[0] === "one two three", 5000, "second preview");
  const [first, second] = r.edits();
  expect(second!.at - first!.at).toBe(THROTTLE);
  expect(r.fake.sentTo(OWNER)[0]!.edits.map((e) => e.text)).toEqual(["one two three"]); // " two" alone never went out
  const done = r.presenter.finish("one two three, **done**");
  await r.settled("the final edit to wait for the throttle");
  r.clock.advance(THROTTLE);
  expect(await done).toBe("delivered");
  expect(r.fake.sentTo(OWNER)[0]!.parse_mode).toBe("HTML");
  const times = r.edits().map((c) => c.at);
  for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(THROTTLE);
});

test("a 429 whose retry_after auto-retry will not wait for pushes the next preview past it", async () => {
  const r = await rig();
  r.presenter.text("a");
  await r.fake.waitFor(() => r.fake.textsIn(OWNER)[0] === "a", 5000, "first preview");
  r.fake.rateLimitNext("editMessageText", 120);
  r.presenter.text(" b");
  await r.settled("the throttle wait before the edit");
  r.clock.advance(THROTTLE);
  await r.fake.waitFor(() => r.fake.callsOf("editMessageText").length === 1, 5000, "the refused edit");
  r.presenter.text(" c");
  await r.settled("the wait after the 429");
  expect(r.clock.nextAt! - r.clock.now()).toBe(120_000);
  r.clock.advance(119_999);
  await Bun.sleep(0);
  expect(r.fake.callsOf("editMessageText").length).toBe(1);
  r.clock.advance(1);
  await r.fake.waitFor(() => r.fake.textsIn(OWNER)[0] === "a b c", 5000, "the edit after retry_after");
  expect(r.fake.callsOf("editMessageText").map((c) => c.status)).toEqual([429, 200]);
});
