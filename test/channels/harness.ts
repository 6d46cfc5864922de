// Shared set-up for the Telegram channel tests: the fake Bot API, a store, an in-process
// AgentRuntime on the scripted provider, and the channel built through createChannels (so the
// config path is the real one).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentRuntime } from "../../src/agent/runtime.ts";
import { createChannels } from "../../src/channels/registry.ts";
import type { TelegramChannel, TelegramChannelOptions } from "../../src/channels/telegram/bot.ts";
import { abortableSleep } from "../../src/core/backoff.ts";
import { ConfigSchema, type ConfigInput } from "../../src/config/schema.ts";
import { configureLogging, createLogger } from "../../src/core/log.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { openStore } from "../../src/store/sqlite.ts";
import type { SessionStore } from "../../src/store/types.ts";
import { FakeTelegram, FAKE_TOKEN } from "../fakes/telegram.ts";
import { ScriptedProvider, type Script } from "../fakes/scripted-provider.ts";

configureLogging({ level: process.env.TEST_LOG ? "debug" : "silent" });

/** Real time, but backoff waits capped at 50 ms so retry paths run quickly (timing is not their subject). */
export const fastClock = { now: () => Date.now(), sleep: (ms: number, signal?: AbortSignal) => abortableSleep(Math.min(ms, 50), signal) };

export const OWNER = 1001;
export const STRANGER = 2002;

export interface Harness {
  fake: FakeTelegram;
  store: SessionStore;
  provider: ScriptedProvider;
  runtime: AgentRuntime;
  channel: TelegramChannel;
  close(): Promise<void>;
}

type TelegramInput = NonNullable<NonNullable<ConfigInput["channels"]>["telegram"]> & Record<string, unknown>;

export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), "oc-tg-")), "openclaw.db");
}

export async function sqliteStore(path = tempDbPath()): Promise<SessionStore> {
  return openStore(path);
}

export async function setup(opts: {
  script: Script;
  telegram?: Partial<TelegramInput>;
  config?: ConfigInput;
  store?: SessionStore;
  fake?: FakeTelegram;
  start?: boolean;
  maxConcurrent?: number;
  channel?: TelegramChannelOptions;
}): Promise<Harness> {
  const fake = opts.fake ?? (await new FakeTelegram({ maxPollWaitMs: 200 }).start());
  const store = opts.store ?? new MemoryStore();
  const provider = new ScriptedProvider(opts.script);
  const runtime = new AgentRuntime(provider, { log: createLogger("agent"), maxConcurrent: opts.maxConcurrent ?? 8 }).withStore(store);
  const config = ConfigSchema.parse({
    ...opts.config,
    channels: {
      telegram: {
        botToken: FAKE_TOKEN, apiRoot: fake.url, dmPolicy: "allowlist", allowFrom: [OWNER],
        editThrottleMs: 50, pollTimeoutSeconds: 1, watchdogMs: 5000, ...opts.telegram,
      },
    },
  });
  const [channel] = createChannels(
    { config, runtime, store, log: createLogger("test") },
    { telegram: { shutdownGraceMs: 200, clock: fastClock, ...opts.channel } },
  ) as TelegramChannel[];
  if (!channel) throw new Error("telegram channel not created");
  if (opts.start !== false) {
    await channel.start();
    const state = await channel.ready();
    if (state !== "running") throw new Error(`telegram channel did not start: ${state} (${channel.status().lastError ?? "no error"})`);
  }
  return {
    fake, store, provider, runtime, channel,
    async close() {
      await channel.stop();
      await runtime.shutdown(100);
      if (!opts.fake) await fake.stop();
      if (!opts.store) await store.close();
    },
  };
}
