import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import JSON5 from "json5";
import { ConfigError, ConflictError } from "../../src/core/errors.ts";
import { getConfigValue, patchConfig, setConfigValue, unsetConfigValue } from "../../src/config/edit.ts";
import { loadConfig } from "../../src/config/load.ts";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cfgedit-"));
  file = join(dir, "state", "openclaw.json");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const read = () => JSON5.parse(readFileSync(file, "utf8"));

describe("config edits", () => {
  test("set creates the file 0600 in a 0700 directory", () => {
    const r = setConfigValue("gateway.port", 19000, { path: file, env: {} });
    expect(r.changed).toBe(true);
    expect(read()).toEqual({ gateway: { port: 19000 } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "state")).mode & 0o777).toBe(0o700);
    expect(loadConfig({ path: file, env: {} }).config.gateway.port).toBe(19000);
  });

  test("set validates before writing: an invalid value leaves the file untouched", () => {
    setConfigValue("gateway.port", 19000, { path: file, env: {} });
    const before = readFileSync(file, "utf8");
    expect(() => setConfigValue("gateway.port", "nope", { path: file, env: {} })).toThrow(/gateway\.port: expected integer 1\.\.65535/);
    expect(() => setConfigValue("agents.defaults.sandbox.level", "max", { path: file, env: {} })).toThrow(ConfigError);
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(readdirSync(join(dir, "state"))).toEqual(["openclaw.json"]); // no temp files left behind
  });

  test("unknown keys and ${VAR} references survive edits; comments do not", () => {
    setConfigValue("gateway.port", 1, { path: file, env: {} });
    writeFileSync(file, `// comment\n{ bindings: [{ agentId: "a" }], gateway: { auth: { token: "\${GW_TOKEN}" } }, models: { providers: { x: { baseUrl: "\${X_URL}" } } } }`);
    const r = setConfigValue("gateway.port", 19001, { path: file, env: {} });
    expect(r.warnings).toEqual([]); // "bindings" was in the file already: `config validate` reports it, an unrelated edit does not
    const doc = read();
    expect(doc.bindings).toEqual([{ agentId: "a" }]);
    expect(doc.gateway.auth.token).toBe("${GW_TOKEN}");
    expect(doc.models.providers.x.baseUrl).toBe("${X_URL}");
    expect(readFileSync(file, "utf8")).not.toContain("// comment");
  });

  test("set creates intermediate objects and parses array indexes", () => {
    setConfigValue("tools.deny", ["exec", "write"], { path: file, env: {} });
    setConfigValue("tools.deny.1", "read", { path: file, env: {} });
    setConfigValue("models.providers.ollama.baseUrl", "http://127.0.0.1:11434/v1", { path: file, env: {} });
    expect(read()).toEqual({ tools: { deny: ["exec", "read"] }, models: { providers: { ollama: { baseUrl: "http://127.0.0.1:11434/v1" } } } });
    expect(() => setConfigValue("tools.deny.0.x", 1, { path: file, env: {} })).toThrow(ConfigError);
  });

  test("prototype keys are refused", () => {
    expect(() => setConfigValue("__proto__.polluted", true, { path: file, env: {} })).toThrow(ConfigError);
    expect(() => patchConfig(JSON.parse(`{"gateway":{"__proto__":{"polluted":true}}}`), { path: file, env: {} })).toThrow(ConfigError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("get: file value, effective default, unknown key, missing", () => {
    setConfigValue("custom.thing", { a: 1 }, { path: file, env: {} });
    expect(getConfigValue("custom.thing.a", { path: file, env: {} })).toEqual({ found: true, value: 1, source: "file" });
    expect(getConfigValue("gateway.port", { path: file, env: {} })).toEqual({ found: true, value: 18789, source: "effective" });
    expect(getConfigValue("gateway.port", { path: file, env: { OPENCLAW_GATEWAY_PORT: "2000" } }).value).toBe(2000);
    expect(getConfigValue("nope.nothing", { path: file, env: {} }).found).toBe(false);
  });

  test("unset removes a key and reports whether it was there", () => {
    setConfigValue("gateway.port", 19000, { path: file, env: {} });
    setConfigValue("gateway.bind", "lan", { path: file, env: {} });
    expect(unsetConfigValue("gateway.port", { path: file, env: {} }).removed).toBe(true);
    const again = unsetConfigValue("gateway.port", { path: file, env: {} });
    expect(again.removed).toBe(false);
    expect(again.changed).toBe(false);
    expect(read()).toEqual({ gateway: { bind: "lan" } });
  });

  test("patchConfig deep-merges, null deletes, arrays replace, returns the new config", () => {
    setConfigValue("gateway", { port: 19000, bind: "lan", auth: { mode: "token" } }, { path: file, env: {} });
    setConfigValue("tools.deny", ["a", "b"], { path: file, env: {} });
    const l = patchConfig({ gateway: { bind: null, auth: { token: "new-token-abcdefgh" } }, tools: { deny: ["c"] } }, { path: file, env: {} });
    expect(read()).toEqual({ gateway: { port: 19000, auth: { mode: "token", token: "new-token-abcdefgh" } }, tools: { deny: ["c"] } });
    expect(l.config.gateway.bind).toBe("loopback");
    expect(l.config.gateway.auth.token).toBe("new-token-abcdefgh");
  });

  test("patchConfig checks strictly (missing env var) and honours baseHash", () => {
    setConfigValue("gateway.port", 19000, { path: file, env: {} });
    expect(() => patchConfig({ gateway: { auth: { token: "${MISSING_TOKEN}" } } }, { path: file, env: {} })).toThrow(/MISSING_TOKEN/);
    const { hash } = loadConfig({ path: file, env: {} });
    patchConfig({ gateway: { port: 19001 } }, { path: file, env: {}, baseHash: hash });
    expect(() => patchConfig({ gateway: { port: 19002 } }, { path: file, env: {}, baseHash: hash })).toThrow(ConflictError);
    expect(read().gateway.port).toBe(19001);
  });

  test("a symlinked config is edited through the link", () => {
    setConfigValue("gateway.port", 19000, { path: file, env: {} });
    const link = join(dir, "link.json");
    symlinkSync(file, link);
    setConfigValue("gateway.port", 19005, { path: link, env: {} });
    expect(read().gateway.port).toBe(19005);
    expect(statSync(link).isFile()).toBe(true);
  });

  test("a looser existing file becomes 0600 after an edit", () => {
    setConfigValue("gateway.port", 19000, { path: file, env: {} });
    chmodSync(file, 0o644);
    setConfigValue("gateway.port", 19001, { path: file, env: {} });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
