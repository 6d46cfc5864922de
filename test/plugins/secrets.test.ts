// A plugin can reach none of the gateway's secrets: not its environment (provider keys, gateway
// and Telegram tokens), not the database, token or config files, not the rest of the state dir; it
// writes only its own data dir. Real bwrap, real files.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { databasePath, gatewayTokenPath, stateDir as defaultStateDir } from "../../src/config/paths.ts";
import { pluginDataDir } from "../../src/plugins/host.ts";
import { secretPaths } from "../../src/sandbox/secret-paths.ts";
import type { ToolContext } from "../../src/tools/types.ts";
import { tempDir, toolContext } from "../tools/helpers.ts";
import { fixture, startHost, type TestHost } from "./helpers.ts";

let h: TestHost | undefined;
afterEach(async () => {
  await h?.host.stop();
  h = undefined;
});

// a folder the sandbox's read-only root shows (not under /tmp, $HOME or the state dir): only a mask hides a secret here
const visibleRoot = join(import.meta.dir, "../../.tmp");
mkdirSync(visibleRoot, { recursive: true });
const outside = mkdtempSync(join(visibleRoot, "plugin-secrets-"));
afterAll(() => rmSync(outside, { recursive: true, force: true }));

const SECRETS = {
  ANTHROPIC_API_KEY: "sk-ant-api03-plugin-test-secret-0123456789",
  OPENAI_API_KEY: "sk-proj-plugin-test-secret-0123456789",
  OPENCLAW_GATEWAY_TOKEN: "gw-token-plugin-test-0123456789",
  TELEGRAM_BOT_TOKEN: "123456:plugin-test-telegram-token-abcdef",
};

describe("plugin sandbox", () => {
  test("no secret in the plugin's environment, no secret file readable, writes only in its data dir", async () => {
    const configFile = join(outside, "openclaw.json");
    writeFileSync(configFile, `{ "gateway": { "auth": { "token": "${SECRETS.OPENCLAW_GATEWAY_TOKEN}" } } }`);
    const credFile = join(outside, "telegram.token");
    writeFileSync(credFile, SECRETS.TELEGRAM_BOT_TOKEN);
    const state = join(tempDir("plugin-state-"), "state");
    const inState = (p: string) => join(state, relative(defaultStateDir(), p));
    const db = inState(databasePath());
    const token = inState(gatewayTokenPath());
    for (const [p, text] of [[db, "SQLite format 3"], [`${db}-wal`, "wal"], [token, SECRETS.OPENCLAW_GATEWAY_TOKEN]] as const) {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
    }
    // the host is given the secret paths the gateway would compute from its config
    const cfg = { channels: { telegram: { tokenFile: credFile } } };
    const secret = [...secretPaths(cfg, state), configFile];
    h = await startHost(["secrets"], { stateDir: state, host: { hostEnv: { PATH: process.env.PATH, LANG: "C.UTF-8", SOME_SETTING: "visible-on-the-host", ...SECRETS }, secretPaths: secret } });
    const tool = h.target.tools.get("probe_secrets")!;
    const other = join(state, "evil.txt");
    const result = await tool.run({ paths: [db, `${db}-wal`, token, configFile, credFile, fixture("secrets/index.ts")], writes: [other, join(outside, "evil.txt"), fixture("secrets/evil.txt")] }, toolContext() as ToolContext);
    expect(result.isError).toBe(false);
    const r = JSON.parse((result.content[0] as { text: string }).text) as { reads: Record<string, string>; writes: Record<string, string>; env: Record<string, string>; cwd: string };
    for (const p of [db, `${db}-wal`, token, configFile, credFile]) expect(r.reads[p]).toMatch(/^denied /);
    expect(r.reads[fixture("secrets/index.ts")]).toStartWith("READ "); // its own code is readable
    expect(Object.keys(r.env).sort()).toEqual(expect.arrayContaining(["HOME", "LANG", "PATH"]));
    for (const name of [...Object.keys(SECRETS), "SOME_SETTING"]) expect(r.env[name]).toBeUndefined();
    expect(JSON.stringify(r.env)).not.toContain("plugin-test");
    const dataDir = resolve(pluginDataDir(state, "secrets"));
    expect(r.cwd).toBe(dataDir);
    expect(r.env.HOME).toBe(dataDir);
    expect(r.writes[join(dataDir, "mine.txt")]).toBe("WROTE");
    expect(readFileSync(join(dataDir, "mine.txt"), "utf8")).toBe("x");
    for (const p of [other, join(outside, "evil.txt"), fixture("secrets/evil.txt")]) expect(existsSync(p)).toBe(false);
  });
});
