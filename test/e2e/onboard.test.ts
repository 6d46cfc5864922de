// e2e: the compiled binary from nothing to a running gateway. `dist/openclaw onboard` on a real
// pseudo-terminal (answered like a person would) against the fake Anthropic server, then
// `dist/openclaw gateway run` on the home it made: the generated token is the one that works and
// a chat turn reaches the provider with the key onboarding stored.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { spawnGateway, ROOT } from "../gateway/process.ts";
import { tempState } from "../cli/run.ts";
import { KEY, exitOf, spawnPty } from "../cli/onboard-pty.ts";
import { freshBinary } from "./fresh-binary.ts";

const GOOD = "sk-ant-e2e-onboard-" + "k".repeat(24);
let fake: FakeAnthropic;
let bin = "";

beforeAll(async () => {
  bin = freshBinary();
  fake = await startFakeAnthropic({ apiKey: GOOD, fallback: "echo" });
}, 300_000);
afterAll(() => fake?.stop());

test("dist/openclaw: onboard on a terminal, then gateway run serves with the generated token and the stored key", async () => {
  const h = tempState();
  const state = h.env.OPENCLAW_STATE_DIR!;
  const pty = spawnPty([bin, "onboard", "--base-url", fake.url], { ...h.env, NO_COLOR: "1" }, ROOT);
  await pty.expect("Which model provider?");
  await pty.type(KEY.enter);
  await pty.expect("Anthropic API key");
  await pty.type(GOOD + KEY.enter);
  await pty.expect("Model");
  await pty.type(KEY.backspace.repeat(40) + "anthropic/claude-e2e" + KEY.enter);
  await pty.expect("Telegram bot token");
  await pty.type(KEY.enter);
  await pty.expect("Gateway port");
  await pty.type(KEY.enter);
  await pty.expect("Agent workspace");
  await pty.type(KEY.enter);
  await pty.expect("Install the gateway as a service");
  await pty.type(KEY.enter);
  await pty.expect("anthropic accepted the key");
  await pty.expect("next: openclaw gateway run");
  await pty.expect("dashboard: http://127.0.0.1:18789/");
  expect(await exitOf(pty)).toBe(0);
  expect(pty.screen()).not.toContain(GOOD);

  const tokenPath = join(state, "credentials", "gateway-token");
  expect(statSync(tokenPath).mode & 0o777).toBe(0o600);
  expect(statSync(join(state, "openclaw.json")).mode & 0o777).toBe(0o600);
  const token = readFileSync(tokenPath, "utf8").trim();

  const gw = await spawnGateway({ stateDir: state, configPath: h.env.OPENCLAW_CONFIG_PATH!, cmd: [bin] }).started;
  try {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const chat = (auth?: string) =>
      fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
        body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "hello from onboarding" }] }),
      });
    expect((await chat()).status).toBe(401);
    const res = await chat(token);
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].message.content).toContain("hello from onboarding");
    const sent = fake.requests.filter((r) => r.path === "/v1/messages").at(-1);
    expect(sent?.body.model).toBe("claude-e2e");
    expect(gw.stderr()).not.toContain(GOOD);
  } finally {
    gw.proc.kill("SIGTERM");
    expect(await gw.exited).toBe(0);
  }

  // a second run on the configured home changes nothing and says so
  const again = spawnPty([bin, "onboard"], { ...h.env, NO_COLOR: "1" }, ROOT);
  await again.expect("already configured");
  expect(await exitOf(again)).toBe(0);
}, 120_000);
