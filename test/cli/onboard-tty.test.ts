// Interactive `openclaw onboard` through a real pseudo-terminal (util-linux `script`): the test
// answers each prompt as a person would, against the fake Anthropic server in this process.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, tempState } from "./run.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { snapshot } from "../ops/onboard-snapshot.ts";
import { KEY, exitOf, spawnPty } from "./onboard-pty.ts";

const GOOD = "sk-ant-tty-good-" + "g".repeat(24);
const TG = "123456789:" + "T".repeat(35);
let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: GOOD });
}, 60_000);
afterAll(() => fake.stop());

const src = [process.execPath, join(repoRoot, "src", "main.ts")];

test("onboard on a terminal asks, checks the key, writes the home; secrets are masked on screen", async () => {
  const h = tempState();
  const state = h.env.OPENCLAW_STATE_DIR!;
  const pty = spawnPty([...src, "onboard", "--base-url", fake.url], { ...h.env, NO_COLOR: "1" }, repoRoot);
  await pty.expect("Which model provider?");
  await pty.type(KEY.enter); // Anthropic (the first option)
  await pty.expect("Anthropic API key");
  await pty.type(GOOD + KEY.enter);
  await pty.expect("Model");
  await pty.type(KEY.enter); // the default
  await pty.expect("Telegram bot token");
  await pty.type(TG + KEY.enter);
  await pty.expect("Gateway port");
  await pty.type(KEY.backspace.repeat(5) + "19400" + KEY.enter);
  await pty.expect("Agent workspace");
  await pty.type(KEY.enter);
  await pty.expect("Install the gateway as a service");
  await pty.type(KEY.enter); // No (the default)
  await pty.expect("anthropic accepted the key");
  await pty.expect("next: openclaw gateway run");
  await pty.expect("dashboard: http://127.0.0.1:19400/");
  expect(await exitOf(pty)).toBe(0);
  expect(pty.screen()).not.toContain(GOOD);
  expect(pty.screen()).not.toContain(TG);

  const cfg = JSON.parse(readFileSync(join(state, "openclaw.json"), "utf8"));
  expect(cfg.models.providers.anthropic.apiKey).toBe(GOOD);
  expect(cfg.channels.telegram.botToken).toBe(TG);
  expect(cfg.gateway.port).toBe(19400);
  expect(cfg.agents.defaults.workspace).toBeUndefined(); // the default stays implicit
  expect(existsSync(join(state, "credentials", "gateway-token"))).toBe(true);
  expect(existsSync(join(state, "workspace", "AGENTS.md"))).toBe(true);
}, 60_000);

test("bare openclaw on a terminal with no config starts onboarding; Ctrl-C leaves nothing behind", async () => {
  const h = tempState();
  const before = snapshot(h.dir);
  const pty = spawnPty(src, { ...h.env, NO_COLOR: "1" }, repoRoot);
  await pty.expect("OpenClaw onboarding");
  await pty.expect("Which model provider?");
  await pty.type(KEY.ctrlC);
  await pty.expect("onboarding cancelled; nothing was written");
  expect(await exitOf(pty)).toBe(1);
  expect(snapshot(h.dir)).toEqual(before);
}, 60_000);

test("a refused key on a terminal: the reason, exit 1, nothing written", async () => {
  const h = tempState();
  const before = snapshot(h.dir);
  const bad = "sk-ant-tty-bad-" + "b".repeat(24);
  const pty = spawnPty([...src, "onboard", "--provider", "anthropic", "--base-url", fake.url, "--port", "19401", "--workspace", join(h.dir, "ws")], { ...h.env, NO_COLOR: "1" }, repoRoot);
  await pty.expect("Anthropic API key");
  await pty.type(bad + KEY.enter);
  await pty.expect("Model");
  await pty.type(KEY.enter);
  await pty.expect("Telegram bot token");
  await pty.type(KEY.enter); // skipped
  await pty.expect("Install the gateway as a service");
  await pty.type(KEY.enter);
  await pty.expect("the key was refused by anthropic");
  await pty.expect("nothing was written");
  expect(await exitOf(pty)).toBe(1);
  expect(pty.screen()).not.toContain(bad);
  expect(snapshot(h.dir)).toEqual(before);
}, 60_000);
