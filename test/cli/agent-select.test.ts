// `openclaw agent --agent <id>` as a subprocess: the turn runs on that agent's model (the fake
// Messages API records which model was asked); an unknown id exits 2 and lists the configured ones.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { repoRoot, tempState, type RunResult } from "./run.ts";

const st = tempState();
let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic({ fallback: "echo" });
  mkdirSync(st.env.OPENCLAW_STATE_DIR!, { recursive: true, mode: 0o700 });
  writeFileSync(
    st.env.OPENCLAW_CONFIG_PATH!,
    JSON.stringify({
      models: { providers: { anthropic: { baseUrl: fake.url, apiKey: "sk-ant-test-" + "c".repeat(24) } } },
      agents: {
        defaults: { model: "anthropic/claude-main", workspace: join(st.dir, "ws"), sandbox: { level: "off" } },
        list: [{ id: "work", model: "anthropic/claude-work", workspace: join(st.dir, "ws-work") }],
      },
      logging: { level: "error" },
    }),
    { mode: 0o600 },
  );
});
// async (the fake Messages API runs in this process: a blocking spawnSync would starve it)
async function runCli(args: string[], env: Record<string, string>): Promise<RunResult> {
  const proc = Bun.spawn([process.execPath, join(repoRoot, "src", "main.ts"), ...args], {
    cwd: repoRoot, env: { ...process.env, NO_COLOR: "1", ...env }, stdout: "pipe", stderr: "pipe", timeout: 20_000,
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

afterAll(async () => {
  await fake.stop();
  rmSync(st.dir, { recursive: true, force: true });
});

test("--agent work runs on work's model; without --agent it is main's", async () => {
  const work = await runCli(["agent", "--agent", "work", "-m", "hello work"], st.env);
  expect(work.stderr).toBe("");
  expect(work.code).toBe(0);
  expect(work.stdout).toContain("hello work");
  expect(fake.bodies().at(-1).model).toBe("claude-work");
  const main = await runCli(["agent", "-m", "hello main"], st.env);
  expect(main.code).toBe(0);
  expect(fake.bodies().at(-1).model).toBe("claude-main");
  // a session key of agent work, without --agent, is work's
  const byKey = await runCli(["agent", "--session-key", "agent:work:notes", "-m", "by key"], st.env);
  expect(byKey.code).toBe(0);
  expect(fake.bodies().at(-1).model).toBe("claude-work");
  const mixed = await runCli(["agent", "--agent", "main", "--session-key", "agent:work:notes", "-m", "mixed"], st.env);
  expect(mixed.code).toBe(2);
  expect(mixed.stderr).toContain(`belongs to agent "work"`);
}, 30_000);

test("an unknown --agent exits 2, lists the configured agents, and asks no model", async () => {
  const before = fake.bodies().length;
  const r = await runCli(["agent", "--agent", "ghost", "-m", "hi"], st.env);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`unknown agent "ghost"; configured agents: main, work`);
  expect(fake.bodies().length).toBe(before);
  const j = await runCli(["--json", "agent", "--agent", "ghost", "-m", "hi"], st.env);
  expect(JSON.parse(j.stdout).error.type).toBe("UsageError");
}, 30_000);
