// Test helpers for tools: a real HostExecutor on a temp workspace, a ToolContext around it, and a
// logger that records instead of printing.
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger, LogLevel } from "../../src/core/log.ts";
import type { SandboxConfig } from "../../src/config/schema.ts";
import { resolveSandbox } from "../../src/sandbox/config.ts";
import { HostExecutor } from "../../src/sandbox/host.ts";
import type { ToolContext, ToolResult, ToolSettings } from "../../src/tools/types.ts";

export interface Recorded {
  level: LogLevel;
  msg: string;
  fields?: Record<string, unknown>;
}

export function recordingLogger(into: Recorded[] = []): Logger & { records: Recorded[] } {
  const at = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => void into.push({ level, msg, ...(fields ? { fields } : {}) });
  const logger: Logger & { records: Recorded[] } = {
    records: into,
    error: at("error"),
    warn: at("warn"),
    info: at("info"),
    debug: at("debug"),
    trace: at("trace"),
    enabled: () => true,
    child: () => logger,
  };
  return logger;
}

export function tempDir(prefix = "tools-"): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

export function hostExecutor(over: Partial<SandboxConfig> = {}, dir = tempDir()): { ex: HostExecutor; workspace: string; dir: string } {
  const workspace = join(dir, "ws");
  const cfg = resolveSandbox({ level: "off", ...over }, { workspace, home: join(dir, "home"), stateDir: join(dir, "state") });
  return { ex: new HostExecutor(cfg, { log: recordingLogger(), hostEnv: { PATH: "/usr/local/bin:/usr/bin:/bin" } }), workspace: cfg.workspace, dir };
}

export const defaultSettings = (): ToolSettings => ({ webFetch: { maxBytes: 2_000_000, allowPrivateNetwork: false } });

export function toolContext(over: Partial<ToolContext> & { sandbox?: Partial<SandboxConfig> } = {}): ToolContext & { workspace: string; dir: string } {
  const { sandbox, ...rest } = over;
  const { ex, workspace, dir } = hostExecutor(sandbox);
  return {
    sessionKey: "test",
    runId: "run_test",
    toolCallId: "call_1",
    executor: ex,
    signal: new AbortController().signal,
    settings: defaultSettings(),
    ...rest,
    workspace,
    dir,
  };
}

export function textOf(r: ToolResult): string {
  return r.content.map((b) => (b.type === "text" ? b.text : `[image ${b.mediaType}]`)).join("");
}
