import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import JSON5 from "json5";
import { runCli, tempState } from "./run.ts";

const st = tempState();
afterAll(() => rmSync(st.dir, { recursive: true, force: true }));
const cfg = st.env.OPENCLAW_CONFIG_PATH!;
const cli = (...args: string[]) => runCli(args, st.env);

describe("openclaw config (subprocess)", () => {
  test("path prints the config path", () => {
    const r = cli("config", "path");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(cfg);
    const j = JSON.parse(cli("--json", "config", "path").stdout);
    expect(j).toMatchObject({ ok: true, path: cfg, database: join(st.env.OPENCLAW_STATE_DIR!, "state", "openclaw.db") });
  });

  test("set parses JSON5 values, writes 0600 in a 0700 dir; get reads them back", () => {
    expect(cli("config", "set", "gateway.port", "19000").code).toBe(0);
    expect(cli("config", "set", "tools.deny", `["exec", 'write',]`).code).toBe(0);
    expect(cli("config", "set", "gateway.bind", "lan").code).toBe(0); // not JSON5: a plain string
    expect(cli("config", "set", "channels.telegram.requireMention", "false").code).toBe(0);
    expect(JSON5.parse(readFileSync(cfg, "utf8"))).toEqual({
      gateway: { port: 19000, bind: "lan" },
      tools: { deny: ["exec", "write"] },
      channels: { telegram: { requireMention: false } },
    });
    expect(statSync(cfg).mode & 0o777).toBe(0o600);
    expect(statSync(st.env.OPENCLAW_STATE_DIR!).mode & 0o777).toBe(0o700);
    expect(cli("config", "get", "gateway.port").stdout.trim()).toBe("19000");
    expect(JSON.parse(cli("config", "get", "tools.deny").stdout)).toEqual(["exec", "write"]);
    expect(JSON.parse(cli("--json", "config", "get", "gateway.port").stdout)).toEqual({ ok: true, key: "gateway.port", value: 19000, source: "file" });
    expect(cli("config", "get", "gateway.limits.maxBatch").stdout.trim()).toBe("50"); // a default
  });

  test("--string keeps a numeric-looking value a string", () => {
    expect(cli("config", "set", "agents.defaults.systemPrompt", "12345", "--string").code).toBe(0);
    expect(JSON5.parse(readFileSync(cfg, "utf8")).agents.defaults.systemPrompt).toBe("12345");
  });

  test("an invalid value exits 78, names the key and expected shape, and writes nothing", () => {
    const before = readFileSync(cfg, "utf8");
    const r = cli("config", "set", "gateway.port", "99999");
    expect(r.code).toBe(78);
    expect(r.stderr).toContain("gateway.port: expected integer 1..65535, got 99999");
    expect(readFileSync(cfg, "utf8")).toBe(before);
    const j = JSON.parse(cli("--json", "config", "set", "agents.defaults.sandbox.level", "max").stdout);
    expect(j.ok).toBe(false);
    expect(j.error.type).toBe("ConfigError");
    expect(j.error.message).toContain("agents.defaults.sandbox.level");
  });

  test("secrets are masked by get and list; get --reveal shows the value", () => {
    const token = "gw-secret-token-0123456789abcdef";
    const set = cli("config", "set", "gateway.auth.token", token);
    expect(set.code).toBe(0);
    expect(set.stdout).not.toContain(token);
    expect(cli("config", "get", "gateway.auth.token").stdout).not.toContain(token);
    expect(cli("config", "get", "gateway.auth.token", "--reveal").stdout.trim()).toBe(token);
    const list = cli("config", "list");
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(token);
    expect(JSON.parse(list.stdout).gateway.port).toBe(19000);
    expect(JSON.parse(list.stdout).gateway.limits.maxBatch).toBe(50);
    const listFile = JSON.parse(cli("--json", "config", "list", "--file").stdout);
    expect(listFile.config.gateway.limits).toBeUndefined();
    expect(JSON.stringify(listFile)).not.toContain(token);
    // an env override is masked as well
    const env = runCli(["config", "list"], { ...st.env, ANTHROPIC_API_KEY: "sk-ant-api03-abcdefghijklmnopqrstuvwxyz" });
    expect(env.stdout).not.toContain("abcdefghijklmnopqrstuvwxyz");
    expect(JSON.parse(env.stdout).models.providers.anthropic.apiKey).toContain("…");
  });

  test("unset removes a key; unknown keys are kept and warned about", () => {
    expect(cli("config", "unset", "gateway.bind").stdout).toContain("removed gateway.bind");
    expect(cli("config", "unset", "gateway.bind").stdout).toContain("was not set");
    const set = cli("config", "set", "bindings", `[{agentId: "main"}]`);
    expect(set.code).toBe(0);
    expect(set.stderr).toContain(`unknown config key "bindings"`);
    expect(cli("config", "set", "gateway.port", "19001").code).toBe(0);
    expect(JSON5.parse(readFileSync(cfg, "utf8")).bindings).toEqual([{ agentId: "main" }]);
    expect(JSON5.parse(readFileSync(cfg, "utf8")).gateway.bind).toBeUndefined();
  });

  test("validate: ok, warnings, permission hint, syntax error with line and column (exit 78)", () => {
    const ok = cli("config", "validate");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("config ok");
    chmodSync(cfg, 0o644);
    const loose = cli("--json", "config", "validate");
    expect(JSON.parse(loose.stdout).warnings.join("\n")).toContain(`chmod 600 ${cfg}`);
    chmodSync(cfg, 0o600);
    const good = readFileSync(cfg, "utf8");
    writeFileSync(cfg, `{\n  gateway: {\n    port: 19000,,\n  }\n}\n`);
    const bad = cli("config", "validate");
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain(`${cfg}:3:17`);
    // every command that loads the config refuses the same way
    expect(cli("config", "list").code).toBe(78);
    writeFileSync(cfg, good);
  });

  test("a missing ${VAR} is an error naming the key", () => {
    const good = readFileSync(cfg, "utf8");
    writeFileSync(cfg, `{ models: { providers: { openai: { apiKey: "\${OPENAI_KEY_FOR_TEST}" } } } }`);
    const r = cli("config", "validate");
    expect(r.code).toBe(78);
    expect(r.stderr).toContain("models.providers.openai.apiKey");
    expect(r.stderr).toContain("OPENAI_KEY_FOR_TEST");
    expect(runCli(["config", "validate"], { ...st.env, OPENAI_KEY_FOR_TEST: "sk-abcdefghijkl" }).code).toBe(0);
    writeFileSync(cfg, good);
  });

  test("schema prints a JSON Schema generated from the zod schema", () => {
    const r = cli("config", "schema");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.properties.gateway.properties.port).toMatchObject({ type: "integer", minimum: 1, maximum: 65535 });
    expect(s.properties.channels.properties.telegram.properties.dmPolicy.enum).toEqual(["pairing", "allowlist", "open", "disabled"]);
  });
});
