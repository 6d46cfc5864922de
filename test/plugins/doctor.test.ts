// The doctor's plugins check: a refused plugin fails with the reason, a skipped one is ok with its
// reason, an enabled one is ok; with no plugins, one ok line. (Discovery only: no gateway runs.)
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pluginsCheck } from "../../src/ops/checks/plugins.ts";
import { doctorContext } from "../../src/ops/doctor.ts";
import { tempDir } from "../tools/helpers.ts";
import { fixture } from "./helpers.ts";

// a private state dir and config for this file (other tests share the preload's)
const saved = { state: process.env.OPENCLAW_STATE_DIR, config: process.env.OPENCLAW_CONFIG_PATH };
beforeEach(() => {
  const d = tempDir("doctor-plugins-");
  process.env.OPENCLAW_STATE_DIR = join(d, "state");
  process.env.OPENCLAW_CONFIG_PATH = join(d, "state", "openclaw.json");
});
afterEach(() => {
  process.env.OPENCLAW_STATE_DIR = saved.state;
  process.env.OPENCLAW_CONFIG_PATH = saved.config;
});

function ctx(plugins: Record<string, unknown>) {
  const state = process.env.OPENCLAW_STATE_DIR!;
  mkdirSync(state, { recursive: true });
  writeFileSync(process.env.OPENCLAW_CONFIG_PATH!, JSON.stringify({ gateway: { port: 1 }, plugins }), { mode: 0o600 });
  return doctorContext({ env: { PATH: process.env.PATH } });
}

describe("doctor: plugins", () => {
  test("refused → fail with the reason; skipped → ok with the reason; enabled → ok", async () => {
    const ext = join(process.env.OPENCLAW_STATE_DIR!, "extensions");
    mkdirSync(ext, { recursive: true });
    cpSync(fixture("tool"), join(ext, "tool"), { recursive: true });
    cpSync(fixture("command"), join(ext, "command"), { recursive: true });
    const dir = join(ext, "strict");
    mkdirSync(dir);
    writeFileSync(join(dir, "openclaw.plugin.json"), JSON.stringify({ id: "strict", configSchema: { type: "object", required: ["key"] } }));
    writeFileSync(join(dir, "index.ts"), "export default {};");
    const results = await pluginsCheck.run(ctx({ entries: { command: { enabled: false } } }));
    expect(results).toEqual([
      { id: "plugin:command", status: "ok", message: "plugin command is skipped: plugins.entries.command.enabled is false" },
      {
        id: "plugin:strict", status: "fail",
        message: "plugin strict is not loaded: plugin strict: plugins.entries.strict.config.key is required; set it: openclaw config set plugins.entries.strict.config.key <value>",
        fix: "see the message; fix the plugin directory or its plugins.entries config",
      },
      { id: "plugin:tool", status: "ok", message: "plugin tool will start with the gateway" },
    ]);
  });
});

describe("status: plugins", () => {
  test("openclaw status prints each plugin's state, and why a disabled one is disabled", async () => {
    const { formatStatus } = await import("../../src/cli/status.ts");
    const text = formatStatus({
      running: true, url: "http://127.0.0.1:1",
      gateway: { version: "t", uptimeS: 1, sessions: 0, runsInFlight: 0, channels: [], plugins: [{ id: "a", state: "running" }, { id: "b", state: "disabled", reason: "it crashed 5 times in a row; last: it exited (code 3)" }] },
    });
    expect(text).toContain("plugins:   a running, b disabled (it crashed 5 times in a row; last: it exited (code 3))");
  });
});
