// Shared by the loader tests: a LoadContext whose logger records lines, and fixture paths.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoadContext, LoadedPlugin } from "../../src/plugins/loaded.ts";
import type { HookName } from "../../src/agent/hooks.ts";

export const FIXTURES = join(import.meta.dir, "..", "fixtures", "plugins");

export interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

export function loadContext(id: string, over: Partial<LoadContext> = {}): LoadContext & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, ...(fields ? { fields } : {}) });
  return {
    id,
    dir: join(FIXTURES, id),
    dataDir: mkdtempSync(join(tmpdir(), `plugin-data-${id}-`)),
    pluginConfig: {},
    config: {},
    logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
    lines,
    ...over,
  };
}

export function hook(p: LoadedPlugin, name: HookName) {
  const found = p.hooks.filter((h) => h.name === name);
  if (found.length !== 1) throw new Error(`expected one ${name} hook, got ${found.length}`);
  return found[0]!;
}

export function tool(p: LoadedPlugin, name: string) {
  const t = p.tools.find((x) => x.name === name);
  if (!t) throw new Error(`no tool ${name}; have ${p.tools.map((x) => x.name).join(", ")}`);
  return t;
}

export const callCtx = (toolCallId = "call_1") => ({ toolCallId, sessionKey: "agent:main:main", runId: "run_1", signal: new AbortController().signal });
