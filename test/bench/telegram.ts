/**
 * Telegram channel benchmark (prints figures; not a pass/fail test). Run: `bun test/bench/telegram.ts`.
 * Everything in one process on 127.0.0.1 (the fake Bot API shares the event loop with the channel,
 * so figures are upper bounds for the channel's own cost):
 *   floor    one sendMessage straight to the fake Bot API (HTTP round trip, no channel)
 *   dm       inject a DM → long poll → inbox (SQLite, synchronous=FULL) → access → run (instant
 *            scripted provider, SQLite) → reply sendMessage observed by the fake; sequential
 *   burst    1,000 DMs from 1,000 chats injected at once; time until every chat has its answer
 * RSS after start and after the burst. Every phase is bounded in count and time.
 */
import { AgentRuntime } from "../../src/agent/runtime.ts";
import { createChannels } from "../../src/channels/registry.ts";
import type { TelegramChannel } from "../../src/channels/telegram/bot.ts";
import { ConfigSchema } from "../../src/config/schema.ts";
import { configureLogging, createLogger } from "../../src/core/log.ts";
import { openStore } from "../../src/store/sqlite.ts";
import { tempDbPath } from "../channels/harness.ts";
import { FakeTelegram, FAKE_TOKEN } from "../fakes/telegram.ts";
import { ScriptedProvider } from "../fakes/scripted-provider.ts";

configureLogging({ level: "error" });
const N = 200;
const BURST = 1000;
const mb = () => (process.memoryUsage().rss / 1024 / 1024).toFixed(1);
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(2);
  return `median ${q(0.5)} ms, p99 ${q(0.99)} ms (n=${s.length})`;
};

const fake = await new FakeTelegram({ maxPollWaitMs: 1000 }).start();
fake.dm(1, "warm up chat");
const floor: number[] = [];
for (let i = 0; i < N; i++) {
  const t = performance.now();
  await fetch(`${fake.url}/bot${FAKE_TOKEN}/sendMessage`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ chat_id: 1, text: `floor ${i}` }) });
  floor.push(performance.now() - t);
}
fake.messages.length = 0;

const store = await openStore(tempDbPath());
const runtime = new AgentRuntime(ScriptedProvider.instant("pong"), { maxConcurrent: 64 }).withStore(store);
const config = ConfigSchema.parse({ channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: fake.url, dmPolicy: "open", streaming: "off", pollTimeoutSeconds: 1 } } });
const [channel] = createChannels({ config, runtime, store, log: createLogger("bench") }) as TelegramChannel[];
await channel!.start();
if ((await channel!.ready()) !== "running") throw new Error(`telegram channel did not start: ${channel!.status().lastError}`);
const rssStart = mb();

const dm: number[] = [];
for (let i = 0; i < N; i++) {
  const chat = 10 + (i % 20);
  const before = fake.sentTo(chat).length;
  const t = performance.now();
  fake.dm(chat, `ping ${i}`);
  await fake.waitFor(() => fake.sentTo(chat).length > before, 10_000, "reply");
  dm.push(performance.now() - t);
}

const t0 = performance.now();
for (let i = 0; i < BURST; i++) fake.dm(100_000 + i, `burst ${i}`);
await fake.waitFor(() => fake.messages.length >= N + BURST, 120_000, "burst replies");
const burstMs = performance.now() - t0;
await channel!.inbox.idle(30_000);

console.log(`floor  sendMessage round trip: ${stats(floor)}`);
console.log(`dm     inject → reply (poll, inbox, access, run, send): ${stats(dm)}`);
console.log(`burst  ${BURST} chats at once: ${burstMs.toFixed(0)} ms total, ${(BURST / (burstMs / 1000)).toFixed(0)} replies/s`);
console.log(`rss    after start ${rssStart} MB, after ${N + BURST} messages ${mb()} MB`);
await channel!.stop();
await runtime.shutdown(100);
await store.close();
await fake.stop();
