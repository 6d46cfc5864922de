// `openclaw agent` as a real subprocess: config file + SQLite store in a temp dir, the fake Messages API on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openStore } from "../../src/store/sqlite.ts";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";

const ROOT = resolve(import.meta.dir, "../..");
const BUN = join(ROOT, "node_modules/.bin/bun");
let fake: FakeAnthropic;
let dir: string;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  dir = mkdtempSync(join(tmpdir(), "agent-cli-"));
  mkdirSync(join(dir, "ws"));
  writeFileSync(join(dir, "ws", "hello.txt"), "hi there");
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], config?: unknown): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const configPath = join(dir, "openclaw.json");
  if (config) writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  else rmSync(configPath, { force: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: join(dir, "home"),
    OPENCLAW_STATE_DIR: join(dir, "state"),
    OPENCLAW_CONFIG_PATH: configPath,
    NO_COLOR: "1",
  };
  return new Promise((done) => {
    const child = spawn(BUN, [join(ROOT, "src/main.ts"), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

const config = () => ({
  models: { providers: { anthropic: { baseUrl: fake.url, apiKey: "sk-ant-test-cli-0123456789" } } },
  agents: { defaults: { model: "anthropic/claude-test", workspace: join(dir, "ws"), sandbox: { level: "off" } } },
  logging: { level: "error" },
});

describe("openclaw agent", () => {
  test("without a key: exit 1 and the exact key to set", async () => {
    const r = await run(["agent", "--message", "hi"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ANTHROPIC_API_KEY");
    expect(r.stderr).toContain("models.providers.anthropic.apiKey");
  });

  test("one turn with a tool call: reply on stdout, the tool call as one stderr line, stored in SQLite", async () => {
    fake.enqueue(reply.toolUse("read", { path: "hello.txt" }), reply.text("The file says hi there."));
    const r = await run(["agent", "--message", "read hello.txt", "--session-key", "cli:test"], config());
    expect(r.stderr).toContain("→ read {\"path\":\"hello.txt\"}");
    expect(r.stdout).toBe("The file says hi there.\n");
    expect(r.code).toBe(0);
    const sent = JSON.stringify(fake.bodies().at(-1).messages);
    expect(sent).toContain("hi there");
    const store = await openStore(join(dir, "state", "state", "openclaw.db"));
    try {
      const types = (await store.readRange("cli:test", 1)).map((e) => e.type);
      expect(types).toEqual(["user_message", "run_started", "assistant_message", "tool_result", "assistant_message", "run_finished"]);
    } finally {
      await store.close();
    }
  });

  test("--json prints every event as a JSON line, ending with final", async () => {
    fake.enqueue(reply.text("json reply"));
    const r = await run(["agent", "--json", "--message", "hi", "--session-key", "cli:json"], config());
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ type: "run_started", sessionKey: "cli:json", model: "anthropic/claude-test" });
    expect(events.at(-1)).toMatchObject({ type: "final", outcome: "ok", text: "json reply" });
  });
});
