// channels.status for the Channels page: the real Telegram channel on the fake Bot API, behind a
// real gateway: mode, botUsername, lastUpdateAt, lastError, and the effective allowFrom.
import { afterAll, expect, test } from "bun:test";
import { ApiKey } from "../../src/core/secrets.ts";
import { MemoryConfigSource } from "../../src/gateway/config-source.ts";
import { createGateway } from "../../src/gateway/gateway.ts";
import { approvePairing } from "../../src/pairing/requests.ts";
import { say } from "../fakes/scripted-provider.ts";
import { FAKE_TOKEN } from "../fakes/telegram.ts";
import { OWNER, setup, STRANGER } from "../channels/harness.ts";
import { TOKEN } from "./helpers.ts";

const h = await setup({ script: [say.text("hi there"), say.text("hello")], telegram: { dmPolicy: "pairing", allowFrom: [OWNER, "tg:3003"] } });
const gw = createGateway({
  runtime: h.runtime,
  store: h.store,
  channels: [h.channel],
  // the gateway's live config may differ from what the running channel was built with (channels.* needs a restart): the channel's own list counts
  config: new MemoryConfigSource({ channels: { telegram: { botToken: FAKE_TOKEN, dmPolicy: "pairing", allowFrom: [9999] } } }),
  auth: { mode: "token", token: new ApiKey(TOKEN), source: "config" },
});
afterAll(async () => {
  gw.dispose();
  await h.close();
});

const status = async () => {
  const out = await gw.dispatcher.dispatch("channels.status", {}, { transport: "http", ip: "127.0.0.1", scopes: new Set(["read"]) });
  if (!out.ok) throw new Error(out.error.message);
  return (out.result as { channels: any[] }).channels[0];
};

test("mode, botUsername, no lastUpdateAt before any update; allowFrom is the running channel's configured ids", async () => {
  const s = await status();
  expect(s).toMatchObject({ id: "telegram", mode: "polling", botUsername: "openclaw_test_bot", state: "running" });
  expect(s.lastUpdateAt).toBeUndefined();
  expect(s.allowFrom).toEqual([String(OWNER), "3003"]);
});

test("an update sets lastUpdateAt; an approved pairing joins allowFrom", async () => {
  const before = Date.now();
  h.fake.dm(STRANGER, "let me in");
  await h.fake.waitFor(() => h.fake.textsIn(STRANGER).length === 1, 5000, "the pairing code reply");
  await h.channel.inbox.idle();
  const [pending] = await h.store.pairingList("telegram", "pending");
  expect(pending).toBeDefined();
  await approvePairing(h.store, "telegram", pending!.code);
  const s = await status();
  expect(Date.parse(s.lastUpdateAt)).toBeGreaterThanOrEqual(before - 1);
  expect(s.allowFrom).toEqual([String(OWNER), "3003", String(STRANGER)]);
});
