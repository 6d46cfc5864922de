// The file tools keep the disk limits exec keeps: a `write` that would take the workspace past
// tools.exec.maxWorkspaceMb, or leave the disk under limits.diskReserveMb, is refused with a result
// the model can act on, and nothing is written. At every level (off: HostExecutor; standard and
// strict: real bwrap), through the real write tool.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConfigSchema } from "../../src/config/schema.ts";
import { createExecutor } from "../../src/sandbox/create-executor.ts";
import { HostExecutor } from "../../src/sandbox/host.ts";
import { resolveSandbox } from "../../src/sandbox/config.ts";
import { writeTool } from "../../src/tools/write.ts";
import type { Executor } from "../../src/sandbox/executor.ts";
import { defaultSettings, textOf } from "../tools/helpers.ts";
import { LEVELS, quietLog, useFakeHost } from "./bwrap-helpers.ts";

const h = useFakeHost();
const MiB = 1 << 20;
const write = writeTool();
const ctx = (executor: Executor) => ({ sessionKey: "s", runId: "r", toolCallId: "c", executor, signal: new AbortController().signal, settings: defaultSettings() });
const mb = (n: number) => "x".repeat(Math.round(n * MiB));

for (const level of ["off", ...LEVELS] as const) {
  describe(`file tools under tools.exec.maxWorkspaceMb at ${level}`, () => {
    test("a write past the cap is refused and names the key; replacing a file is credited its old size", async () => {
      const workspace = join(h.state, `ws-quota-${level}`);
      mkdirSync(workspace, { recursive: true });
      const config = ConfigSchema.parse({ agents: { defaults: { workspace, sandbox: { level } } }, tools: { exec: { maxWorkspaceMb: 2 } } });
      const ex = createExecutor(config, "main", { home: h.home, stateDir: h.state, log: quietLog, registryDir: false });
      const first = await write.run({ path: "a.txt", content: mb(1.2) }, ctx(ex));
      expect(first.isError).toBeFalsy();
      const second = await write.run({ path: "b.txt", content: mb(1.2) }, ctx(ex));
      expect(second.isError).toBe(true);
      expect(textOf(second)).toContain("tools.exec.maxWorkspaceMb=2");
      expect(existsSync(join(workspace, "b.txt"))).toBe(false);
      const replaced = await write.run({ path: "a.txt", content: mb(1.5) }, ctx(ex));
      expect(replaced.isError).toBeFalsy();
      expect(statSync(join(workspace, "a.txt")).size).toBe(Math.round(1.5 * MiB));
    }, 60_000);
  });
}

describe("file tools and the disk reserve", () => {
  test("a write that would leave the disk under limits.diskReserveMb is refused; a small one still fits", async () => {
    const workspace = join(h.state, "ws-reserve");
    mkdirSync(workspace, { recursive: true });
    const cfg = resolveSandbox({ level: "off", limits: { diskReserveMb: 256 } }, { workspace, home: h.home, stateDir: h.state });
    const ex = new HostExecutor(cfg, { log: quietLog, freeBytes: () => 257 * MiB }); // 1 MiB above the reserve
    const big = await write.run({ path: "big.txt", content: mb(2) }, ctx(ex));
    expect(big.isError).toBe(true);
    expect(textOf(big)).toContain("limits.diskReserveMb");
    expect(existsSync(join(workspace, "big.txt"))).toBe(false);
    const small = await write.run({ path: "small.txt", content: "fits" }, ctx(ex));
    expect(small.isError).toBeFalsy();
  });
});
