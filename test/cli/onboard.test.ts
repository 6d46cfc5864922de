// `openclaw onboard` as a real subprocess (from source) in a private state dir, against the fake
// Anthropic / OpenAI servers running in this test process (so the CLI is spawned asynchronously).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { runCliAsync, tempState } from "./run.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { snapshot } from "../ops/onboard-snapshot.ts";

const GOOD = "sk-ant-cli-good-" + "g".repeat(24);
const BAD = "sk-ant-cli-bad-" + "b".repeat(24);
let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: GOOD });
}, 60_000);
afterAll(() => fake.stop());

const cli = (args: string[], env: Record<string, string>) => runCliAsync(args, env, { timeoutMs: 20_000 });

const home = () => {
  const t = tempState();
  return { ...t, state: t.env.OPENCLAW_STATE_DIR! };
};
const flags = (key: string) => ["onboard", "--non-interactive", "--anthropic-api-key", key, "--base-url", fake.url];

describe("openclaw onboard --non-interactive", () => {
  test("an accepted key: exit 0, the home is set up, the next command and the dashboard URL are printed", async () => {
    const h = home();
    const r = await cli([...flags(GOOD), "--port", "19200"], h.env);
    expect(r.stderr).toContain("visible to other local users in the process list; --api-key-env NAME");
    expect(r.stderr).not.toContain("error");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("anthropic accepted the key");
    expect(r.stdout).toContain("next: openclaw gateway run");
    expect(r.stdout).toContain("dashboard: http://127.0.0.1:19200/");
    expect(r.stdout).not.toContain(GOOD);
    expect(readdirSync(h.state).sort()).toEqual(["credentials", "openclaw.json", "workspace"]);
    const v = await cli(["config", "validate"], h.env);
    expect(v.code).toBe(0);
  }, 60_000);

  test("a refused key: 'the key was refused by anthropic', exit 1, the home unchanged, the key never printed", async () => {
    const h = home();
    const before = snapshot(h.dir);
    const r = await cli(flags(BAD), h.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: the key was refused by anthropic");
    expect(r.stderr).toContain("nothing was written");
    expect(r.stdout + r.stderr).not.toContain(BAD);
    expect(snapshot(h.dir)).toEqual(before);
    expect(existsSync(h.state)).toBe(false);

    const j = await cli(["--json", ...flags(BAD)], h.env);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout).error).toMatchObject({ type: "KeyRefusedError" });
  }, 60_000);

  test("re-running on a configured home changes nothing and says so; --reset backs up and rewrites", async () => {
    const h = home();
    expect((await cli(flags(GOOD), h.env)).code).toBe(0);
    const before = snapshot(h.dir);
    const again = await cli([...flags(BAD), "--port", "19300"], h.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already configured");
    expect(again.stdout).toContain("nothing changed");
    expect(snapshot(h.dir)).toEqual(before);

    const j = await cli(["--json", ...flags(GOOD)], h.env);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, changed: false, next: "openclaw gateway run", dashboardUrl: "http://127.0.0.1:18789/" });

    const reset = await cli([...flags(GOOD), "--reset", "--port", "19300"], h.env);
    expect(reset.code).toBe(0);
    const backups = readdirSync(h.state).filter((n) => n.startsWith("openclaw.json.bak-"));
    expect(backups.length).toBe(1);
    expect(backups[0]).toMatch(/^openclaw\.json\.bak-\d{8}T\d{6}Z$/);
    expect(JSON.parse(readFileSync(join(h.state, backups[0]!), "utf8")).gateway.port).toBe(18789);
    expect(JSON.parse(readFileSync(join(h.state, "openclaw.json"), "utf8")).gateway.port).toBe(19300);
  }, 60_000);

  test("ANTHROPIC_API_KEY in the environment is referenced as ${ANTHROPIC_API_KEY}, not copied", async () => {
    const h = home();
    const r = await cli(["onboard", "--non-interactive", "--base-url", fake.url], { ...h.env, ANTHROPIC_API_KEY: GOOD });
    expect(r.code).toBe(0);
    const text = readFileSync(join(h.state, "openclaw.json"), "utf8");
    expect(JSON.parse(text).models.providers.anthropic.apiKey).toBe("${ANTHROPIC_API_KEY}");
    expect(r.stderr).not.toContain("process list");
    expect(text).not.toContain(GOOD);
  }, 60_000);

  test("a Telegram bot token on the command line warns that the process list shows it", async () => {
    const h = home();
    const tg = "123456789:" + "T".repeat(35);
    const r = await cli(["onboard", "--non-interactive", "--base-url", fake.url, "--telegram-bot-token", tg], { ...h.env, ANTHROPIC_API_KEY: GOOD });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("bot token given on the command line is visible to other local users in the process list");
    expect(r.stderr + r.stdout).not.toContain(tg);
  }, 60_000);

  test("bad flags are usage errors (exit 2) naming the flag; nothing written", async () => {
    const h = home();
    const cases: [string[], string][] = [
      [["onboard", "--non-interactive"], "--anthropic-api-key"],
      [[...flags(GOOD), "--port", "99999"], "--port must be a port number"],
      [[...flags(GOOD), "--provider", "bedrock"], "--provider"],
      [[...flags(GOOD), "--bind", "everywhere"], "--bind: loopback, lan, or an IP address"],
      [["onboard", "--non-interactive", "--provider", "openai-compatible"], "--base-url"],
      [["onboard", "--non-interactive", "--api-key-env", "NOT_SET_ANYWHERE", "--base-url", fake.url], "NOT_SET_ANYWHERE is not set"],
    ];
    for (const [args, text] of cases) {
      const r = await cli(args, h.env);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain(text);
    }
    expect(existsSync(h.state)).toBe(false);
  }, 60_000);

  test("without a terminal and without --non-interactive: a usage error that says what to pass", async () => {
    const h = home();
    const r = await cli(["onboard"], h.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("needs a terminal");
    expect(r.stderr).toContain("--non-interactive");
    expect(existsSync(h.state)).toBe(false);
  }, 60_000);

  test("bare openclaw without a terminal prints help and writes nothing", async () => {
    const h = home();
    const r = await cli([], h.env);
    expect(r.stderr).toContain("USAGE");
    expect(r.stderr).toContain("onboard");
    expect(existsSync(h.state)).toBe(false);
  }, 60_000);

  test("--install-daemon where no service manager answers: configured, the unit written, then says it could not enable it, exit 1", async () => {
    const h = home();
    // no user bus: a CI host with a real user systemd must not get a service installed by a test
    const noBus = { HOME: h.dir, XDG_RUNTIME_DIR: join(h.dir, "no-run"), DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(h.dir, "no-bus")}` };
    const r = await cli([...flags(GOOD), "--install-daemon"], { ...h.env, ...noBus });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("could not enable the service");
    expect(r.stdout).toContain("next: openclaw gateway run");
    expect(existsSync(join(h.state, "openclaw.json"))).toBe(true);
    expect(existsSync(join(h.dir, ".config", "systemd", "user", "openclaw-gateway.service"))).toBe(true);
  }, 60_000);
});
