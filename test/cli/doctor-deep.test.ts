// `openclaw doctor --deep` against the fakes: the Anthropic key is sent once (a refused key is a
// failure naming the provider), the Telegram token goes to getMe through the configured apiRoot.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { startFakeAnthropic } from "../fakes/anthropic.ts";
import { FAKE_TOKEN, FakeTelegram } from "../fakes/telegram.ts";
import { check, doctor, quietConfig, tempHome, type Home } from "./doctor-run.ts";

setDefaultTimeout(60_000);

const GOOD = "sk-ant-good-0123456789abcdefghijklmnopqrstuvwxyz";
const BAD = "sk-ant-bad-9876543210zyxwvutsrqponmlkjihgfedcba";
const homes: Home[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h.dir, { recursive: true, force: true });
});

test("--deep: a refused Anthropic key fails as refused by anthropic; the accepted key is ok; the key is never printed", async () => {
  const fake = await startFakeAnthropic({ apiKey: GOOD, fallback: "echo" });
  const h = tempHome();
  homes.push(h);
  try {
    h.writeConfig(await quietConfig({ models: { providers: { anthropic: { apiKey: BAD, baseUrl: fake.url } } } }));
    const shallow = await doctor(h.env);
    expect(check(shallow.checks, "provider:anthropic").status).toBe("ok");
    expect(fake.requests.length).toBe(0); // without --deep nothing is sent
    const bad = await doctor(h.env, "--deep");
    expect(bad.code).toBe(1);
    const c = check(bad.checks, "provider:anthropic");
    expect(c.status).toBe("fail");
    expect(c.message).toContain("the key was refused by anthropic");
    expect(bad.raw.stdout + bad.raw.stderr).not.toContain(BAD);
    h.writeConfig(await quietConfig({ models: { providers: { anthropic: { apiKey: GOOD, baseUrl: fake.url } } } }));
    const good = await doctor(h.env, "--deep");
    expect(check(good.checks, "provider:anthropic")).toMatchObject({ status: "ok" });
    expect(good.code).toBe(0);
    const last = fake.bodies().at(-1);
    expect(last.max_tokens).toBe(1);
  } finally {
    await fake.stop();
  }
});

test("--deep: getMe through channels.telegram.apiRoot; a wrong token fails, the right one names the bot", async () => {
  const tg = await new FakeTelegram().start();
  const h = tempHome();
  homes.push(h);
  try {
    const wrong = "7000000001:AAwrongTokenForTests_zyxwvutsrqponmlkjih";
    h.writeConfig(await quietConfig({ channels: { telegram: { botToken: wrong, apiRoot: tg.url } } }));
    const bad = await doctor(h.env, "--deep");
    const c = check(bad.checks, "telegram");
    expect(c.status).toBe("fail");
    expect(c.message).toContain("refused by Telegram");
    expect(bad.raw.stdout + bad.raw.stderr).not.toContain(wrong);
    h.writeConfig(await quietConfig({ channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: tg.url } } }));
    const good = await doctor(h.env, "--deep");
    expect(check(good.checks, "telegram")).toMatchObject({ status: "ok", message: "Telegram accepted the bot token: @openclaw_test_bot" });
    expect(tg.calls.some((x) => x.method === "getMe")).toBe(true);
  } finally {
    await tg.stop();
  }
});
