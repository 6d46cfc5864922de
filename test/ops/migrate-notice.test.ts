// The gateway (a real child process) started on a home that still holds OpenClaw data says so once,
// with the command to run; after `openclaw migrate` it does not.
import { expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TOKEN } from "../gateway/helpers.ts";
import { spawnGateway } from "../gateway/process.ts";
import { runCli } from "../cli/run.ts";
import { fixtureHome } from "./migrate-helpers.ts";

setDefaultTimeout(60_000);

async function startAndStop(stateDir: string, configPath: string): Promise<string> {
  const gw = await spawnGateway({ stateDir, configPath }).started;
  gw.proc.kill("SIGTERM");
  expect(await gw.exited).toBe(0);
  return gw.stderr();
}

test("gateway start-up: one notice naming `openclaw migrate --from <home>` until the home is imported", async () => {
  const home = fixtureHome();
  rmSync(join(home, "openclaw.json")); // the gateway runs on its own config (no Telegram, no provider)
  const configPath = join(mkdtempSync(join(tmpdir(), "oc-cfg-")), "openclaw.json");
  writeFileSync(configPath, JSON.stringify({ gateway: { auth: { token: TOKEN } }, agents: { defaults: { sandbox: { level: "off" } } } }), { mode: 0o600 });
  const before = await startAndStop(home, configPath);
  const notices = before.split("\n").filter((l) => l.includes("OpenClaw data not imported yet"));
  expect(notices).toHaveLength(1);
  expect(notices[0]).toContain(`run \`openclaw migrate --from ${home}\``);

  const r = runCli(["migrate", "--from", home], { OPENCLAW_STATE_DIR: home, OPENCLAW_CONFIG_PATH: configPath });
  expect(r.code).toBe(0);
  const after = await startAndStop(home, configPath);
  expect(after).not.toContain("OpenClaw data not imported yet");
});
