import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/core/errors.ts";
import { redact } from "../../src/core/secrets.ts";
import { loadConfig } from "../../src/config/load.ts";
import { loadErrorAt } from "./load-error.ts";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cfg-"));
  file = join(dir, "openclaw.json");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(text: string, mode = 0o600): void {
  writeFileSync(file, text);
  chmodSync(file, mode);
}

const loadError = (env: Record<string, string> = {}): ConfigError => loadErrorAt(file, env);

describe("loadConfig", () => {
  test("a missing file gives the defaults", () => {
    const l = loadConfig({ path: file, env: {} });
    expect(l.exists).toBe(false);
    expect(l.raw).toEqual({});
    expect(l.config.gateway.port).toBe(18789);
    expect(l.config.gateway.bind).toBe("loopback");
    expect(l.warnings).toEqual([]);
    expect(l.hash).toBeNull();
  });

  test("default path comes from OPENCLAW_CONFIG_PATH, read lazily", () => {
    const prev = process.env.OPENCLAW_CONFIG_PATH;
    process.env.OPENCLAW_CONFIG_PATH = file;
    try {
      write(`{ gateway: { port: 19001 } }`);
      expect(loadConfig().config.gateway.port).toBe(19001);
      expect(loadConfig().path).toBe(file);
    } finally {
      process.env.OPENCLAW_CONFIG_PATH = prev;
    }
  });

  test("JSON5 with comments and trailing commas, OpenClaw key names", () => {
    write(`// my config
{
  gateway: { port: 19000, bind: "lan", auth: { mode: "token", token: "tok-abcdefghijklmnop" }, },
  agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5", fallbacks: ["openai/gpt-5"] }, workspace: "~/w", maxConcurrent: 3 } },
  models: { providers: { ollama: { baseUrl: "http://127.0.0.1:11434/v1", api: "openai-completions" } } },
  channels: { telegram: { dmPolicy: "allowlist", allowFrom: [123, "456"], agentId: "ops", editThrottleMs: 500, pollTimeoutSeconds: 20, watchdogMs: 60000 } },
  tools: { deny: ["exec"] },
  plugins: { entries: { x: { enabled: false } }, load: { paths: ["."] } },
  logging: { level: "debug" },
}`);
    const l = loadConfig({ path: file, env: {} });
    expect(l.exists).toBe(true);
    expect(l.config.gateway).toMatchObject({ port: 19000, bind: "lan", auth: { mode: "token" } });
    expect(l.config.agents.defaults.maxConcurrent).toBe(3);
    expect(l.config.channels.telegram?.allowFrom).toEqual([123, "456"]);
    expect(l.config.logging.level).toBe("debug");
    expect(l.warnings).toEqual([]);
    expect(l.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test("registers secret values so redact() masks them", () => {
    write(`{ gateway: { auth: { token: "gw-token-value-0123456789" } } }`);
    loadConfig({ path: file, env: {} });
    expect(redact("token=gw-token-value-0123456789")).not.toContain("gw-token-value-0123456789");
  });

  test("unknown keys: one warning each with the full path, kept in raw", () => {
    write(`{ bindings: [], gateway: { port: 18790, tailscale: { mode: "off" } }, channels: { telegram: { accounts: {} } }, agents: { defaults: { heartbeat: {} } } }`);
    const l = loadConfig({ path: file, env: {} });
    expect(l.warnings).toHaveLength(4);
    for (const k of ["bindings", "gateway.tailscale", "channels.telegram.accounts", "agents.defaults.heartbeat"]) {
      expect(l.warnings.some((w) => w.includes(`"${k}"`))).toBe(true);
    }
    expect(l.raw.bindings).toEqual([]);
    expect((l.config as Record<string, unknown>).bindings).toEqual([]);
  });

  test("invalid values name the key path, the expected shape and the value", () => {
    write(`{ gateway: { port: "abc", bind: "lan" }, agents: { defaults: { sandbox: { level: "paranoid" } } } }`);
    const e = loadError();
    expect(e.message).toContain(`gateway.port: expected integer 1..65535, got "abc"`);
    expect(e.message).toContain(`agents.defaults.sandbox.level: expected one of "off" | "standard" | "strict", got "paranoid"`);
    expect(e.message).toContain(file);
    expect(e.rpcCode).toBe(-32030);
  });

  test("an invalid secret value is masked in the error", () => {
    write(`{ models: { providers: { anthropic: { apiKey: "sk-ant-secretsecretsecret", baseUrl: "not a url" } } }, gateway: { auth: { token: 12345678901234 } } }`);
    const e = loadError();
    expect(e.message).toContain("models.providers.anthropic.baseUrl: expected a URL");
    expect(e.message).toContain("gateway.auth.token: expected a non-empty string");
    expect(e.message).not.toContain("12345678901234");
    write(`{ models: { providers: { anthropic: { apiKey: ["sk-ant-secretsecretsecret-in-array"] } } } }`);
    expect(loadError().message).not.toContain("secretsecretsecret");
  });

  test("JSON5 syntax errors carry line and column", () => {
    write(`{\n  gateway: {\n    port: 1 2\n  }\n}`);
    const e = loadError();
    expect(e.message).toContain(`${file}:3:13`);
    expect(e.message).toContain("line 3, column 13");
    expect(e.details).toMatchObject({ line: 3, column: 13 });
  });

  test("a non-object root is refused", () => {
    write(`[1, 2]`);
    expect(loadError().message).toContain("must be a JSON5 object");
  });

  test("${VAR} substitution, escapes, and missing variables", () => {
    write(`{ gateway: { auth: { token: "\${GW_TOK}" } }, agents: { defaults: { workspace: "\${HOME_DIR}/ws", systemPrompt: "literal $\${NOT_SUBST}" } } }`);
    const l = loadConfig({ path: file, env: { GW_TOK: "substituted-token-123", HOME_DIR: "/srv" } });
    expect(l.config.gateway.auth.token).toBe("substituted-token-123");
    expect(l.config.agents.defaults.workspace).toBe("/srv/ws");
    expect(l.config.agents.defaults.systemPrompt).toBe("literal ${NOT_SUBST}");
    expect(l.raw).toMatchObject({ gateway: { auth: { token: "${GW_TOK}" } } });
    expect(redact("x substituted-token-123")).not.toContain("substituted-token-123");
    const e = loadError({ HOME_DIR: "/srv" });
    expect(e.message).toContain("gateway.auth.token");
    expect(e.message).toContain("GW_TOK");
  });

  test("lowercase names are not substituted", () => {
    write(`{ agents: { defaults: { systemPrompt: "\${lower}" } } }`);
    expect(loadConfig({ path: file, env: { lower: "x" } }).config.agents.defaults.systemPrompt).toBe("${lower}");
  });

  test("env overrides win over the file", () => {
    write(`{ gateway: { port: 1000, auth: { token: "file-token-abcdefgh" } }, channels: { telegram: { botToken: "file" } } }`);
    const env = {
      OPENCLAW_GATEWAY_TOKEN: "env-token-abcdefgh",
      OPENCLAW_GATEWAY_PORT: "19999",
      ANTHROPIC_API_KEY: "sk-ant-env-key-123456",
      TELEGRAM_BOT_TOKEN: "123456:env-bot-token",
    };
    const l = loadConfig({ path: file, env });
    expect(l.config.gateway.auth.token).toBe("env-token-abcdefgh");
    expect(l.config.gateway.port).toBe(19999);
    expect(l.config.models.providers.anthropic?.apiKey).toBe("sk-ant-env-key-123456");
    expect(l.config.channels.telegram?.botToken).toBe("123456:env-bot-token");
    expect(l.envOverrides.sort()).toEqual(Object.keys(env).sort());
    expect(l.raw).toMatchObject({ gateway: { port: 1000 } });
    expect(redact("env-token-abcdefgh")).not.toContain("env-token-abcdefgh");
    expect(() => loadConfig({ path: file, env: { OPENCLAW_GATEWAY_PORT: "70000" } })).toThrow(/OPENCLAW_GATEWAY_PORT/);
  });

  test("looser than 0600 warns with the exact chmod", () => {
    write(`{}`, 0o644);
    const l = loadConfig({ path: file, env: {} });
    expect(l.warnings).toEqual([expect.stringContaining(`chmod 600 ${file}`)]);
    expect(l.warnings[0]).toContain("0644");
    chmodSync(file, 0o600);
    expect(loadConfig({ path: file, env: {} }).warnings).toEqual([]);
  });

  test("a path with spaces is quoted in the chmod hint", () => {
    const spaced = join(dir, "my dir.json");
    writeFileSync(spaced, "{}");
    chmodSync(spaced, 0o640);
    expect(loadConfig({ path: spaced, env: {} }).warnings[0]).toContain(`chmod 600 '${spaced}'`);
  });

  test("an empty file is an empty config", () => {
    write("  \n");
    expect(loadConfig({ path: file, env: {} }).config.gateway.port).toBe(18789);
  });
});

describe("plugins.load.paths", () => {
  test("an entry that does not exist is a warning naming the key, the resolved path and the fix", () => {
    mkdirSync(join(dir, "plugins"));
    write(`{ plugins: { load: { paths: ["plugins", "missing-plugins", "/nonexistent/openclaw-plugins"] } } }`);
    const l = loadConfig({ path: file, env: {} });
    expect(l.warnings).toEqual([
      `plugins.load.paths.1: ${join(dir, "missing-plugins")} does not exist, so no plugin loads from it (in ${file}); create it, fix the path, or remove the entry`,
      `plugins.load.paths.2: /nonexistent/openclaw-plugins does not exist, so no plugin loads from it (in ${file}); create it, fix the path, or remove the entry`,
    ]);
    expect(l.config.plugins.load.paths).toEqual(["plugins", "missing-plugins", "/nonexistent/openclaw-plugins"]);
  });
});
