// ops/onboard.ts in-process against real files in a temp state dir and the fake provider APIs.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { KeyRefusedError, ProviderCheckError } from "../../src/ops/provider-check.ts";
import { OnboardInputError, parseOnboardInput } from "../../src/ops/onboard-input.ts";
import { DAEMON_UNAVAILABLE, installDaemonIfAvailable } from "../../src/ops/onboard-daemon.ts";
import { backupPathFor, dashboardUrl, onboard } from "../../src/ops/onboard.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/openai.ts";
import { snapshot } from "./onboard-snapshot.ts";

const GOOD = "sk-ant-onboard-good-" + "g".repeat(20);
const BAD = "sk-ant-onboard-bad-" + "b".repeat(20);
let anthropic: FakeAnthropic;
let openai: FakeOpenAI;
let home = "";

beforeAll(async () => {
  anthropic = await startFakeAnthropic({ apiKey: GOOD });
  openai = await startFakeOpenAI({ apiKey: "oai-good-key-1234567890" });
});
afterAll(async () => {
  await anthropic.stop();
  await openai.stop();
});
beforeEach(() => {
  home = join(mkdtempSync(join(tmpdir(), "onboard-")), "state");
  process.env.OPENCLAW_STATE_DIR = home;
  process.env.OPENCLAW_CONFIG_PATH = join(home, "openclaw.json");
});

const mode = (p: string) => statSync(p).mode & 0o777;
const input = (o: Record<string, unknown> = {}) => parseOnboardInput({ apiKey: GOOD, baseUrl: anthropic.url, ...o });
const deps = { env: {} };

describe("onboard", () => {
  test("an accepted key: token (32 random bytes, 0600 in 0700), config (0600 in 0700) that loads, bootstrap files", async () => {
    const r = await onboard(input({ port: 19123, telegramBotToken: "123456789:" + "A".repeat(35) }), deps);
    expect(r.changed).toBe(true);
    expect(r.check).toEqual({ status: "ok", provider: "anthropic", detail: "claude-fake" });
    expect(anthropic.requests.at(-1)?.path).toBe("/v1/models");

    const token = readFileSync(join(home, "credentials", "gateway-token"), "utf8").trim();
    expect(Buffer.from(token, "base64url").length).toBeGreaterThanOrEqual(32);
    expect(mode(join(home, "credentials", "gateway-token"))).toBe(0o600);
    expect(mode(join(home, "credentials"))).toBe(0o700);
    expect(r.token).toEqual({ path: join(home, "credentials", "gateway-token"), created: true });

    const cfgPath = join(home, "openclaw.json");
    expect(mode(cfgPath)).toBe(0o600);
    expect(mode(home)).toBe(0o700);
    const { config } = loadConfig({ path: cfgPath, env: {} });
    expect(config.gateway.port).toBe(19123);
    expect(config.gateway.bind).toBe("loopback");
    expect(config.gateway.auth.mode).toBe("token");
    expect(config.gateway.auth.token).toBeUndefined(); // the token stays in credentials/
    expect(config.agents.defaults.model).toBe("anthropic/claude-sonnet-4-5");
    expect(config.channels.telegram?.dmPolicy).toBe("pairing");

    for (const f of ["AGENTS.md", "SOUL.md", "USER.md", "IDENTITY.md"]) expect(readFileSync(join(home, "workspace", f), "utf8")).toContain(`# ${f}`);
    expect(r.workspace?.seeded.length).toBe(4);
    expect(r.dashboardUrl).toBe("http://127.0.0.1:19123/");
    expect(r.next).toBe("openclaw gateway run");
  });

  test("a state dir and credentials/ left readable by others (a gateway ran first) are tightened to 0700; its token is kept", async () => {
    const { chmodSync } = await import("node:fs");
    mkdirSync(join(home, "credentials"), { recursive: true });
    chmodSync(home, 0o755);
    chmodSync(join(home, "credentials"), 0o755);
    writeFileSync(join(home, "credentials", "gateway-token"), "t".repeat(43) + "\n", { mode: 0o600 });
    const r = await onboard(input(), deps);
    expect(mode(home)).toBe(0o700);
    expect(mode(join(home, "credentials"))).toBe(0o700);
    expect(r.token?.created).toBe(false);
    expect(readFileSync(join(home, "credentials", "gateway-token"), "utf8")).toBe("t".repeat(43) + "\n");
  });

  test("a refused key: KeyRefusedError naming the provider, and nothing written", async () => {
    const before = snapshot(home);
    const err = await onboard(input({ apiKey: BAD }), deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyRefusedError);
    expect((err as Error).message).toContain("the key was refused by anthropic");
    expect((err as Error).message).not.toContain(BAD);
    expect(snapshot(home)).toEqual(before);
    expect(before).toBe("absent");
  });

  test("an unreachable provider: ProviderCheckError with the way past it, nothing written", async () => {
    const err = await onboard(input({ baseUrl: "http://127.0.0.1:1" }), deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderCheckError);
    expect(err).not.toBeInstanceOf(KeyRefusedError);
    expect((err as Error).message).toMatch(/cannot reach anthropic at 127\.0\.0\.1:1: .*--skip-check/);
    expect(snapshot(home)).toBe("absent");
  });

  test("--skip-check writes without a request", async () => {
    const n = anthropic.requests.length;
    const r = await onboard(input({ apiKey: BAD, skipCheck: true }), deps);
    expect(r.check.status).toBe("skipped");
    expect(anthropic.requests.length).toBe(n);
    expect(existsSync(join(home, "openclaw.json"))).toBe(true);
  });

  test("existing bootstrap files are kept, missing ones seeded", async () => {
    mkdirSync(join(home, "workspace"), { recursive: true });
    writeFileSync(join(home, "workspace", "SOUL.md"), "mine\n");
    const r = await onboard(input(), deps);
    expect(readFileSync(join(home, "workspace", "SOUL.md"), "utf8")).toBe("mine\n");
    expect(r.workspace?.kept).toEqual(["SOUL.md"]);
    expect(r.workspace?.seeded).toEqual(["AGENTS.md", "USER.md", "IDENTITY.md"]);
  });

  test("a configured home: nothing changes and it says so; --reset backs the old config up and keeps the token", async () => {
    await onboard(input(), deps);
    const before = snapshot(home);
    const n = anthropic.requests.length;
    const again = await onboard(input({ apiKey: BAD, port: 20000 }), deps);
    expect(again.changed).toBe(false);
    expect(again.dashboardUrl).toBe("http://127.0.0.1:18789/");
    expect(snapshot(home)).toEqual(before);
    expect(anthropic.requests.length).toBe(n); // not even the check ran

    const old = readFileSync(join(home, "openclaw.json"), "utf8");
    const token = readFileSync(join(home, "credentials", "gateway-token"), "utf8");
    const now = new Date("2026-12-03T15:38:03.123Z");
    const reset = await onboard(input({ reset: true, port: 20000 }), { ...deps, now: () => now });
    expect(reset.backupPath).toBe(join(home, "openclaw.json.bak-20261203T153803Z"));
    expect(readFileSync(reset.backupPath!, "utf8")).toBe(old);
    expect(mode(reset.backupPath!)).toBe(0o600);
    expect(loadConfig({ env: {} }).config.gateway.port).toBe(20000);
    expect(readFileSync(join(home, "credentials", "gateway-token"), "utf8")).toBe(token);
    expect(reset.token?.created).toBe(false);

    // a second reset in the same second keeps the first backup (the original config) and makes another
    const between = readFileSync(join(home, "openclaw.json"), "utf8");
    const again2 = await onboard(input({ reset: true, port: 20001 }), { ...deps, now: () => now });
    expect(again2.backupPath).toBe(join(home, "openclaw.json.bak-20261203T153803Z-2"));
    expect(readFileSync(reset.backupPath!, "utf8")).toBe(old);
    expect(readFileSync(again2.backupPath!, "utf8")).toBe(between);
    expect(mode(again2.backupPath!)).toBe(0o600);
  });

  test("a configured home whose config does not load: still unchanged, and the problem is named", async () => {
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, "openclaw.json"), "{ gateway: { port: 'x' } }", { mode: 0o600 });
    const before = snapshot(home);
    const r = await onboard(input(), deps);
    expect(r.changed).toBe(false);
    expect(r.problem).toContain("gateway.port");
    expect(snapshot(home)).toEqual(before);
  });

  test("--api-key-env stores ${NAME}, checks with its value, and refuses an unset variable", async () => {
    const r = await onboard(input({ apiKey: undefined, apiKeyEnv: "MY_CLAUDE_KEY" }), { env: { MY_CLAUDE_KEY: GOOD } });
    expect(r.check.status).toBe("ok");
    const raw = JSON.parse(readFileSync(join(home, "openclaw.json"), "utf8"));
    expect(raw.models.providers.anthropic.apiKey).toBe("${MY_CLAUDE_KEY}");
    expect(readFileSync(join(home, "openclaw.json"), "utf8")).not.toContain(GOOD);

    process.env.OPENCLAW_STATE_DIR = join(home, "other");
    process.env.OPENCLAW_CONFIG_PATH = join(home, "other", "openclaw.json");
    const err = await onboard(input({ apiKey: undefined, apiKeyEnv: "UNSET_KEY" }), { env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OnboardInputError);
    expect((err as Error).message).toContain("UNSET_KEY is not set");
    expect(snapshot(join(home, "other"))).toBe("absent");
  });

  test("openai-compatible: GET {baseUrl}/models with the key; a 401 is a refusal", async () => {
    const base = { provider: "openai-compatible", baseUrl: `${openai.url}/v1`, model: "llama3.1" };
    const refused = await onboard(parseOnboardInput({ ...base, apiKey: "oai-wrong-key-1234567890" }), deps).catch((e: unknown) => e);
    expect((refused as Error).message).toContain("the key was refused by openai-compatible (HTTP 401");
    expect(snapshot(home)).toBe("absent");

    const r = await onboard(parseOnboardInput({ ...base, apiKey: "oai-good-key-1234567890" }), deps);
    expect(r.check).toEqual({ status: "ok", provider: "openai-compatible", detail: "fake-model" });
    expect(openai.requests.at(-1)).toMatchObject({ method: "GET", path: "/v1/models" });
    const { config } = loadConfig({ env: {} });
    expect(config.agents.defaults.model).toBe("openai-compatible/llama3.1");
    expect(config.models.providers["openai-compatible"]).toMatchObject({ api: "openai-completions", baseUrl: `${openai.url}/v1` });
  });

  test("--install-daemon: installDaemon() runs after the writes; a build without daemon/install.ts says so", async () => {
    const seen: boolean[] = [];
    const r = await onboard(input({ installDaemon: true }), {
      ...deps,
      installDaemon: async () => (seen.push(existsSync(join(home, "openclaw.json"))), { ok: true, message: "installed", unitPath: "/u" }),
    });
    expect(seen).toEqual([true]);
    expect(r.daemon).toEqual({ ok: true, message: "installed", unitPath: "/u" });

    // what Bun throws for a dynamic import of a module the build does not have
    const missing = async () => { throw new Error("Cannot find module '../daemon/install.ts' from '/$bunfs/root/openclaw'"); };
    const none = await installDaemonIfAvailable({}, missing);
    expect(none.ok).toBe(false);
    expect(none.message).toContain(DAEMON_UNAVAILABLE);
    const called: unknown[] = [];
    const ok = await installDaemonIfAvailable({ system: true }, async () => ({ installDaemon: async (o: unknown) => (called.push(o), { ok: true, message: "installed" }) }));
    expect(ok).toEqual({ ok: true, message: "installed" });
    expect(called).toEqual([{ system: true }]);
    const failing = await installDaemonIfAvailable({}, async () => ({ installDaemon: async () => { throw new Error("systemctl: not found"); } }));
    expect(failing).toEqual({ ok: false, message: "installing the daemon failed: systemctl: not found; run the gateway with: openclaw gateway run" });
    await expect(installDaemonIfAvailable({}, async () => { throw new Error("syntax error in install.ts"); })).rejects.toThrow("syntax error");
  });
});

describe("onboard input", () => {
  test("bad answers name the flag and never echo a secret", () => {
    const bad = (raw: Record<string, unknown>) => {
      try {
        parseOnboardInput(raw);
      } catch (err) {
        expect(err).toBeInstanceOf(OnboardInputError);
        return (err as Error).message;
      }
      throw new Error("expected an OnboardInputError");
    };
    expect(bad({})).toContain("--anthropic-api-key");
    expect(bad({ provider: "openai-compatible" })).toContain("--base-url");
    expect(bad({ provider: "nope", apiKey: "k" })).toContain("--provider");
    expect(bad({ apiKey: "k", port: 70000 })).toContain("--port: a port number 1-65535");
    expect(bad({ apiKey: "k", apiKeyEnv: "lower" })).toContain("--api-key-env");
    const tg = "123:" + "s".repeat(5);
    const msg = bad({ apiKey: "k", telegramBotToken: tg });
    expect(msg).toContain("--telegram-bot-token");
    expect(msg).not.toContain(tg);
  });

  test("dashboard URL and backup name", () => {
    expect(dashboardUrl(18789, "loopback")).toBe("http://127.0.0.1:18789/");
    expect(dashboardUrl(18789, "lan")).toBe("http://127.0.0.1:18789/");
    expect(dashboardUrl(1, "192.168.1.5")).toBe("http://192.168.1.5:1/");
    expect(dashboardUrl(1, "::1")).toBe("http://[::1]:1/");
    expect(backupPathFor("/x/openclaw.json", new Date("2026-01-02T03:04:05.678Z"))).toBe("/x/openclaw.json.bak-20260102T030405Z");
  });
});
