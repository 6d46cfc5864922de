// The SDK specifiers must resolve inside a `bun build --compile` binary, where there is no
// node_modules and no tsconfig: compile a tiny binary around loadPlugin (same flags as
// build/build.ts) and load plugins copied OUTSIDE the repo, one per SDK.
import { beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "load-compiled-"));
const bin = join(dir, "loader");

beforeAll(() => {
  const r = Bun.spawnSync([process.execPath, "build", join(import.meta.dir, "compiled-entry.ts"), "--compile", "--minify-syntax", "--minify-whitespace", "--format=esm", "--splitting", "--bytecode", "--outfile", bin], { stdout: "pipe", stderr: "pipe", timeout: 120_000 });
  if (r.exitCode !== 0) throw new Error(`bun build --compile failed (exit ${r.exitCode}): ${r.stderr.toString()}`);
}, 150_000);

function run(fixture: string, file: string, id: string, input: unknown): Record<string, unknown> {
  const pluginDir = join(dir, id);
  mkdirSync(pluginDir, { recursive: true });
  copyFileSync(join(FIXTURES, fixture, file), join(pluginDir, file));
  const r = Bun.spawnSync([bin, join(pluginDir, file), id, JSON.stringify(input)], { cwd: pluginDir, stdout: "pipe", stderr: "pipe", timeout: 30_000 });
  const out = r.stdout.toString().trim();
  if (r.exitCode !== 0 || !out) throw new Error(`the compiled loader failed (exit ${r.exitCode}): ${r.stderr.toString()}`);
  return JSON.parse(out) as Record<string, unknown>;
}

describe("loadPlugin inside a compiled binary", () => {
  test("openclaw-bun/plugin-sdk (with zod) resolves", () => {
    expect(run("sdk-example", "index.ts", "sdk-example", { name: "Bo" })).toEqual({
      hooks: ["BeforeToolCall", "SessionStart", "AgentResponse"],
      tools: ["greet", "fail"],
      result: { content: [{ type: "text", text: "hello, Bo (call_1)" }], isError: false },
    });
  });

  test("openclaw/plugin-sdk/plugin-entry and /core resolve to the shim", () => {
    expect(run("openclaw-entry", "index.ts", "openclaw-entry", { text: "hi" })).toEqual({
      hooks: ["AgentResponse"],
      tools: ["shout"],
      result: { content: [{ type: "text", text: '{\n  "shouted": "HI"\n}' }], isError: false },
    });
  });
});
