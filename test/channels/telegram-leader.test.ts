// Telegram long polling with two gateway "nodes" (runtime + PgStore + PgCluster each) on one real
// PostgreSQL and one fake Bot API: only the leader of "telegram-poller" polls; when it dies (no
// release: the lease expires) the other node takes over and answers, the update offset shared.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { AgentRuntime } from "../../src/agent/runtime.ts";
import { createChannels } from "../../src/channels/registry.ts";
import type { TelegramChannel } from "../../src/channels/telegram/bot.ts";
import { ConfigSchema } from "../../src/config/schema.ts";
import { createLogger } from "../../src/core/log.ts";
import { PgCluster } from "../../src/store/postgres/cluster.ts";
import { openPgStore } from "../../src/store/postgres/store.ts";
import { say, ScriptedProvider } from "../fakes/scripted-provider.ts";
import { FAKE_TOKEN, FakeTelegram } from "../fakes/telegram.ts";
import { type PgServer, startPostgres } from "../support/postgres.ts";
import { fastClock, OWNER } from "./harness.ts";

let pg: PgServer;
let fake: FakeTelegram;
beforeAll(async () => {
  pg = startPostgres();
  fake = await new FakeTelegram({ maxPollWaitMs: 200 }).start();
});
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => {});
  await fake?.stop();
  pg?.stop();
});

async function node(name: string) {
  const store = await openPgStore({ url: pg.url, schema: "tg", nodeId: name, max: 4 });
  const cluster = new PgCluster({ url: pg.url, schema: "tg", nodeId: name, leaseTtlMs: 1500, heartbeatMs: 250 });
  await cluster.start();
  const provider = new ScriptedProvider(() => say.text(`answered by ${name}`));
  const runtime = new AgentRuntime(provider, { log: createLogger("agent") }).withStore(store).withCluster(cluster);
  const config = ConfigSchema.parse({
    channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: fake.url, dmPolicy: "allowlist", allowFrom: [OWNER], editThrottleMs: 50, pollTimeoutSeconds: 1, watchdogMs: 5000 } },
  });
  const [channel] = createChannels({ config, runtime, store, log: createLogger("test") }, { telegram: { shutdownGraceMs: 200, clock: fastClock } }) as TelegramChannel[];
  await channel!.start();
  expect(await channel!.ready()).toBe("running");
  closers.push(() => store.close(), () => cluster.close(), () => channel!.stop());
  return { name, store, cluster, channel: channel!, provider };
}

const polling = (c: TelegramChannel) => (c.status().details as { poller: string | null }).poller !== null;

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await Bun.sleep(20);
  }
}

test("only the leader polls; when it dies another node takes over polling and answers", async () => {
  const a = await node("tg-a");
  const b = await node("tg-b");
  await until(() => polling(a.channel) || polling(b.channel));
  await Bun.sleep(600); // a few heart-beats: still exactly one poller
  expect([polling(a.channel), polling(b.channel)].filter(Boolean)).toHaveLength(1);
  const [leader, other] = polling(a.channel) ? [a, b] : [b, a];
  fake.dm(OWNER, "first");
  await fake.waitFor(() => fake.textsIn(OWNER).includes(`answered by ${leader.name}`), 5000, "the leader's reply");
  expect(other.provider.calls).toBe(0);
  // the leader dies: heart-beat and connections gone, the lease not released; its channel stops polling
  await leader.cluster.halt();
  await leader.channel.stop();
  await until(() => polling(other.channel));
  fake.dm(OWNER, "second");
  await fake.waitFor(() => fake.textsIn(OWNER).includes(`answered by ${other.name}`), 10_000, "the new leader's reply");
  expect(other.provider.calls).toBe(1); // "first" was not polled again: the offset lives in the shared store
  expect((await other.cluster.describe()).leases).toContainEqual({ name: "leader:telegram-poller", node: other.name });
}, 60_000);
