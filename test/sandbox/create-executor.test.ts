// createExecutor: the level picks the executor; off is loud; standard/strict are bwrap and fail closed.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ConfigSchema } from "../../src/config/schema.ts";
import { configureLogging, onLog, type LogRecord } from "../../src/core/log.ts";
import { BwrapExecutor } from "../../src/sandbox/bwrap.ts";
import { createExecutor, createSandboxExecutor } from "../../src/sandbox/create-executor.ts";
import { HostExecutor } from "../../src/sandbox/host.ts";
import { useFakeHost, quietLog } from "./bwrap-helpers.ts";

const h = useFakeHost();
const opts = { home: h.home, stateDir: h.state, log: quietLog, registryDir: false as const }; // no entries in /run from tests

describe("createExecutor", () => {
  test("default config → standard bubblewrap executor on the agent workspace", async () => {
    const config = ConfigSchema.parse({ agents: { defaults: { workspace: join(h.state, "ws-factory") } } });
    const ex = createExecutor(config, "main", opts);
    expect(ex).toBeInstanceOf(BwrapExecutor);
    expect(ex.level).toBe("standard");
    expect(ex.networkAccess).toBe(false);
    expect(ex.fs.root).toBe(join(h.state, "ws-factory"));
    const r = await ex.exec({ command: "pwd" });
    expect(r.stdout).toBe(join(h.state, "ws-factory") + "\n");
  });

  test("a per-agent strict entry gets a strict executor", () => {
    const config = ConfigSchema.parse({ agents: { defaults: { workspace: join(h.state, "ws-f2") }, entries: { ops: { sandbox: { level: "strict" } } } } });
    expect(createExecutor(config, "ops", opts).level).toBe("strict");
    expect(createExecutor(config, "main", opts).level).toBe("standard");
  });

  test("off → HostExecutor, with a loud warning", () => {
    const seen: LogRecord[] = [];
    configureLogging({ sink: () => {} });
    const stop = onLog((r) => seen.push(r));
    try {
      const ex = createSandboxExecutor({ level: "off" }, { home: h.home, stateDir: h.state, workspace: join(h.state, "ws-off") });
      expect(ex).toBeInstanceOf(HostExecutor);
      expect(seen.some((r) => r.level === "warn" && /without isolation/.test(r.msg))).toBe(true);
    } finally {
      stop();
    }
  });

  test("a refused allowed path stops executor creation (config load), not the first exec", () => {
    const config = ConfigSchema.parse({ agents: { defaults: { workspace: join(h.state, "ws-f3"), sandbox: { allowedPaths: [h.home] } } } });
    expect(() => createExecutor(config, "main", opts)).toThrow(/agents\.defaults\.sandbox\.allowedPaths\[0\]/);
  });
});
