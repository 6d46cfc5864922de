import { afterAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, NotFoundError, StorageCorruptError } from "../../src/core/errors.ts";
import { UsageError, exitCodeOf, splitGlobals } from "../../src/cli/output.ts";
import { parseValue } from "../../src/cli/config.ts";
import { runCli, tempState } from "./run.ts";
import pkg from "../../package.json" with { type: "json" };

const st = tempState();
afterAll(() => rmSync(st.dir, { recursive: true, force: true }));

describe("CLI frame (in process)", () => {
  test("global flags are taken from anywhere before --", () => {
    const s = splitGlobals(["config", "--json", "get", "--log-level", "debug", "x", "--no-color", "--", "--json"]);
    expect(s.globals).toMatchObject({ json: true, color: false, logLevel: "debug" });
    expect(s.rest).toEqual(["config", "get", "x", "--", "--json"]);
    expect(splitGlobals(["--log-level=warn"]).globals.logLevel).toBe("warn");
    expect(() => splitGlobals(["--log-level", "loud"])).toThrow(UsageError);
  });

  test("exit codes map from error classes", () => {
    expect(exitCodeOf(new UsageError("x"))).toBe(2);
    expect(exitCodeOf(new ConfigError("x"))).toBe(78);
    expect(exitCodeOf(new StorageCorruptError("x"))).toBe(78);
    expect(exitCodeOf(new NotFoundError("x"))).toBe(1);
    expect(exitCodeOf(new Error("x"))).toBe(1);
  });

  test("set values parse as JSON5, else stay strings", () => {
    expect(parseValue("true", false)).toBe(true);
    expect(parseValue("19000", false)).toBe(19000);
    expect(parseValue(`["a",]`, false)).toEqual(["a"]);
    expect(parseValue("{a: 1}", false)).toEqual({ a: 1 });
    expect(parseValue("lan", false)).toBe("lan");
    expect(parseValue("true", true)).toBe("true");
  });
});

describe("CLI frame (subprocess)", () => {
  test("--version prints the version; --json wraps it", () => {
    const r = runCli(["--version"], st.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(pkg.version);
    expect(JSON.parse(runCli(["--json", "-V"], st.env).stdout)).toEqual({ ok: true, version: pkg.version, commit: "dev", signing: "unsigned" });
  });

  test("--version loads no subcommand, no gateway and no config loader", () => {
    const r = runCli(["--version"], st.env, { preload: join(import.meta.dir, "fixtures", "trace-imports.ts") });
    expect(r.code).toBe(0);
    const loaded = r.stderr.split("\n").filter((l) => l.startsWith("LOAD "));
    expect(loaded.length).toBeGreaterThan(0); // the tracer works
    expect(loaded.filter((l) => /\/src\/(gateway|agent|channels|providers|store)\/|\/cli\/(config|gateway|agent|pairing)\.ts|\/config\/load\.ts/.test(l))).toEqual([]);
  });

  test("--help lists commands and exit codes; no command is a usage error", () => {
    const help = runCli(["--help"], st.env);
    expect(help.code).toBe(0);
    for (const c of ["config", "gateway", "agent", "pairing", "78"]) expect(help.stdout).toContain(c);
    expect(runCli([], st.env).code).toBe(2);
    const sub = runCli(["config", "set", "--help"], st.env);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain("openclaw config set");
    expect(sub.stdout).not.toContain("\x1b[");
  });

  test("usage errors exit 2, also as JSON", () => {
    const r = runCli(["nope"], st.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`unknown command "nope"`);
    const missing = runCli(["--json", "config", "get"], st.env);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toEqual({ ok: false, error: { type: "UsageError", message: expect.stringContaining("KEY") } });
    expect(runCli(["config", "frobnicate"], st.env).code).toBe(2);
    expect(runCli(["--log-level", "loud", "config", "path"], st.env).code).toBe(2);
  });

  test("citty dispatches: an unknown command lists the commands at its level; a command group without a verb shows its verbs (exit 2)", () => {
    const top = runCli(["nope"], st.env);
    expect(top.stderr).toContain(`unknown command "nope"; commands: gateway, agent, config, pairing`);
    const sub = runCli(["config", "frobnicate"], st.env);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain(`unknown command "frobnicate"; commands: path, get, set, unset, list, validate, schema`);
    const bare = runCli(["config"], st.env);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("USAGE openclaw config path|get|set|unset|list|validate|schema");
    const json = runCli(["--json", "config"], st.env);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ ok: false, error: { type: "UsageError", message: "openclaw config needs a command: path, get, set, unset, list, validate, schema" } });
    const help = runCli(["--help"], st.env).stdout;
    for (const flag of ["--json", "--log-level", "--no-color", "-V, --version", "EXIT CODES"]) expect(help).toContain(flag);
  });

  test("a missing key exits 1", () => {
    const r = runCli(["--json", "config", "get", "no.such.key"], st.env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.type).toBe("NotFoundError");
  });
});
