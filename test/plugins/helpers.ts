// Shared by the plugin tests. Loader side: a LoadContext whose logger records lines, fixture paths.
// Host side: real plugin processes (the runner from source, under bwrap) from test/fixtures/plugins/,
// a real HookDispatcher per target, and a bounded, loud wait.
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoadContext, LoadedPlugin } from "../../src/plugins/loaded.ts";
import { HookDispatcher, type HookName } from "../../src/agent/hooks.ts";
import { ConfigSchema, type ConfigInput } from "../../src/config/schema.ts";
import { discoverPlugins } from "../../src/plugins/discover.ts";
import { PluginHost, type PluginHostOptions, type PluginInfo } from "../../src/plugins/host.ts";
import type { HostTarget } from "../../src/plugins/register.ts";
import type { Tool } from "../../src/tools/types.ts";
import { recordingLogger, tempDir } from "../tools/helpers.ts";

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

export const fixture = (name: string): string => join(FIXTURES, name);

/** A target like an AgentRuntime: a real dispatcher and a tool list. */
export function fakeTarget(builtins: string[] = []): HostTarget & { tools: Map<string, Tool> } {
  const tools = new Map<string, Tool>();
  const specs = () => [...builtins.map((name) => ({ name })), ...[...tools.keys()].map((name) => ({ name }))];
  return { hooks: new HookDispatcher(recordingLogger()), tools, withTools: (ts: Tool[]) => ts.forEach((t) => tools.set(t.name, t)), toolSpecs: specs };
}

export interface TestHost {
  host: PluginHost;
  target: ReturnType<typeof fakeTarget>;
  log: ReturnType<typeof recordingLogger>;
  stateDir: string;
}

export async function startHost(plugins: string[], o: { config?: ConfigInput; host?: Partial<PluginHostOptions>; extra?: string[]; start?: boolean; stateDir?: string } = {}): Promise<TestHost> {
  const dir = tempDir("plugins-");
  const stateDir = o.stateDir ?? join(dir, "state");
  mkdirSync(stateDir, { recursive: true });
  const config = ConfigSchema.parse({ ...o.config, plugins: { ...o.config?.plugins, load: { paths: [...plugins.map(fixture), ...(o.extra ?? [])] } } });
  const candidates = discoverPlugins({ config, configFile: join(dir, "openclaw.json"), stateDir });
  const log = recordingLogger();
  const target = fakeTarget();
  const host = new PluginHost({
    candidates, targets: [target], stateDir, home: join(dir, "home"), secretPaths: [], config: {}, log,
    hostEnv: { PATH: process.env.PATH, LANG: "C.UTF-8" }, timeoutMs: config.plugins.timeoutMs, ...o.host,
  });
  if (o.start !== false) await host.start();
  return { host, target, log, stateDir };
}

/** Polls `host.list()` until `pred` holds for plugin `id`; throws with the last state after `ms`. */
export async function waitForPlugin(host: PluginHost, id: string, pred: (p: PluginInfo) => boolean, ms = 15_000): Promise<PluginInfo> {
  const end = Date.now() + ms;
  let last: PluginInfo | undefined;
  while (Date.now() < end) {
    last = host.list().find((p) => p.id === id);
    if (last && pred(last)) return last;
    await Bun.sleep(10);
  }
  throw new Error(`plugin ${id} never reached the expected state within ${ms} ms; last: ${JSON.stringify(last)}`);
}
