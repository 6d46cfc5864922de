// The macOS LaunchAgent, generated and checked on Linux: a plist python3's plistlib parses, with
// the keys launchd needs, log paths under the state dir, no secret; and the env-file wrapper the
// plist uses when secrets come from the environment, run for real with sh.
import { expect, test } from "bun:test";
import { linkSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchdArguments, renderPlist } from "../../src/daemon/launchd.ts";
import { writeEnvFile } from "../../src/daemon/envfile.ts";
import type { ServiceSpec } from "../../src/daemon/spec.ts";

const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({
  command: ["/Applications/Open Claw/openclaw", "gateway", "run"],
  env: { OPENCLAW_STATE_DIR: "/Users/ann/.openclaw", OPENCLAW_CONFIG_PATH: "/Users/ann/.openclaw/open&claw<1>.json" },
  secretEnv: {},
  stateDir: "/Users/ann/.openclaw",
  timeoutStopSec: 25,
  ...over,
});

function parsePlist(xml: string): Record<string, unknown> {
  const py = "import json, plistlib, sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))";
  const r = Bun.spawnSync(["python3", "-c", py], { stdin: Buffer.from(xml), stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`plistlib rejected the plist: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString());
}

test("the plist parses and has Label, ProgramArguments, RunAtLoad, KeepAlive, env and log paths", () => {
  const p = parsePlist(renderPlist(spec()));
  expect(p).toMatchObject({
    Label: "ai.openclaw.gateway",
    ProgramArguments: ["/Applications/Open Claw/openclaw", "gateway", "run"],
    RunAtLoad: true,
    KeepAlive: true,
    ExitTimeOut: 25,
    EnvironmentVariables: { OPENCLAW_STATE_DIR: "/Users/ann/.openclaw", OPENCLAW_CONFIG_PATH: "/Users/ann/.openclaw/open&claw<1>.json" },
    StandardOutPath: "/Users/ann/.openclaw/logs/gateway.out.log",
    StandardErrorPath: "/Users/ann/.openclaw/logs/gateway.err.log",
  });
});

test("with secrets from the environment the plist names the env file and holds no secret", () => {
  const token = "gw-token-" + "q".repeat(40);
  const xml = renderPlist(spec({ secretEnv: { OPENCLAW_GATEWAY_TOKEN: token } }), { envFile: "/Users/ann/.openclaw/credentials/daemon.env" });
  expect(xml).not.toContain(token);
  const p = parsePlist(xml);
  expect(p.ProgramArguments).toEqual(["/bin/sh", "-c", 'set -a; . "$0"; exec "$@"', "/Users/ann/.openclaw/credentials/daemon.env", "/Applications/Open Claw/openclaw", "gateway", "run"]);
  expect(Object.keys(p.EnvironmentVariables as object)).toEqual(["OPENCLAW_STATE_DIR", "OPENCLAW_CONFIG_PATH"]);
});

test("the env-file wrapper hands the program the secrets literally ($, backslash, spaces, #)", () => {
  const dir = mkdtempSync(join(tmpdir(), "envfile-"));
  const value = 'a $HOME `x` \\n b #c "d"';
  const file = writeEnvFile(dir, { OPENCLAW_GATEWAY_TOKEN: value, MY_KEY: "sk-plain-1234" })!;
  expect((Bun.file(file).size)).toBeGreaterThan(0);
  const argv = launchdArguments(spec({ command: ["/usr/bin/env"] }), file);
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", env: { PATH: "/usr/bin:/bin" } });
  expect(r.stderr.toString()).toBe("");
  const env = r.stdout.toString().split("\n");
  expect(env).toContain(`OPENCLAW_GATEWAY_TOKEN=${value}`);
  expect(env).toContain("MY_KEY=sk-plain-1234");
});

test("an env file refuses values it cannot carry, with the fix", () => {
  const dir = mkdtempSync(join(tmpdir(), "envfile-"));
  expect(() => writeEnvFile(dir, { OPENCLAW_GATEWAY_TOKEN: "it's" })).toThrow(/put the secret in the config file/);
});

test("rewriting the env file never writes the secrets into the old file's inode (its mode, a hard link to it)", () => {
  const dir = mkdtempSync(join(tmpdir(), "envfile-"));
  const elsewhere = join(dir, "world-readable.txt");
  writeFileSync(elsewhere, "public\n", { mode: 0o644 });
  mkdirSync(join(dir, "credentials"), { recursive: true, mode: 0o700 });
  linkSync(elsewhere, join(dir, "credentials", "daemon.env")); // an old env file sharing its inode
  const file = writeEnvFile(dir, { OPENCLAW_GATEWAY_TOKEN: "tok-secret-0123456789" })!;
  expect(readFileSync(file, "utf8")).toContain("tok-secret-0123456789");
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(readFileSync(elsewhere, "utf8")).toBe("public\n");
  expect(statSync(elsewhere).mode & 0o777).toBe(0o644);
});
