/**
 * The plugin host: for each plugin discovery found (discover.ts) it creates the data dir
 * (`<state dir>/plugins-data/<id>`, 0700), builds the sandboxed runner command (sandbox.ts) and
 * runs the lifecycle (instance.ts). `start()` resolves once every plugin is running or has failed
 * — a plugin never stops the gateway from starting. `list()` is what `plugins.list`, `status` and
 * the doctor report; `restart(id)` is `plugins.restart`; `runCommand()` answers `/name args` chat
 * commands (commands.ts); `stop()` stops services and processes at shutdown.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { abortableSleep, settleWithin, type Sleep } from "../core/backoff.ts";
import { errorMessage, NotFoundError } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";
import type { PluginCandidate } from "./discover.ts";
import { DEFAULT_RESTART, PluginInstance, type RestartPolicy } from "./instance.ts";
import type { PluginProcessOptions } from "./process.ts";
import type { PluginResources } from "./resources.ts";
import type { HostTarget } from "./register.ts";
import { pluginConfigView } from "./config-view.ts";
import { sandboxedRunner, type RunnerCommand } from "./sandbox.ts";

export interface PluginHostOptions {
  candidates: PluginCandidate[];
  targets: readonly HostTarget[];
  stateDir: string;
  home: string;
  /** this gateway's secret paths (sandbox/secret-paths.ts), hidden from every plugin */
  secretPaths: readonly string[];
  /** the gateway's config with secrets masked (a plugin's `api.config`) */
  config: unknown;
  log: Logger;
  /** hooks and commands; default 5000 */
  timeoutMs?: number;
  toolTimeoutMs?: number;
  initTimeoutMs?: number;
  restart?: Partial<RestartPolicy>;
  hostEnv?: Record<string, string | undefined>;
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
  runner?: RunnerCommand;
  limits?: PluginProcessOptions["limits"];
  /** each plugin process's memory and process limits (default 1 GiB, 256 processes) */
  resources?: PluginResources;
  registryDirs?: string[];
}

export interface PluginInfo {
  id: string;
  name?: string;
  version?: string;
  dir: string;
  source: PluginCandidate["source"];
  state: "starting" | "running" | "restarting" | "disabled" | "stopped" | "skipped" | "refused";
  reason?: string;
  pid?: number;
  crashes: number;
  restarts: number;
  network: boolean;
  hooks: string[];
  tools: string[];
  commands: string[];
  services: string[];
}

export function pluginDataDir(stateDir: string, id: string): string {
  return join(stateDir, "plugins-data", id);
}

export class PluginHost {
  readonly #instances = new Map<string, PluginInstance>();
  readonly #idle: PluginCandidate[] = [];

  constructor(private readonly o: PluginHostOptions) {
    for (const c of o.candidates) {
      if (!c.ready) {
        this.#idle.push(c);
        if (c.error) o.log.warn(`plugin ${c.id} not loaded: ${c.error}`, { plugin: c.id });
        continue;
      }
      const ready = c.ready;
      const dataDir = pluginDataDir(o.stateDir, c.id);
      try {
        mkdirSync(dataDir, { recursive: true, mode: 0o700 });
        const command = sandboxedRunner({
          pluginDir: c.dir, dataDir, stateDir: o.stateDir, home: o.home, networkAccess: ready.network, secretPaths: o.secretPaths,
          hostEnv: o.hostEnv ?? process.env, log: o.log, ...(o.runner ? { runner: o.runner } : {}), ...(o.registryDirs ? { registryDirs: o.registryDirs } : {}),
        });
        this.#instances.set(c.id, new PluginInstance({
          candidate: { ...c, ready }, order: this.#instances.size, dataDir, command, targets: o.targets, config: pluginConfigView(o.config, c.id), log: o.log,
          timeoutMs: o.timeoutMs ?? 5000, initTimeoutMs: o.initTimeoutMs ?? 15_000,
          ...(o.toolTimeoutMs ? { toolTimeoutMs: o.toolTimeoutMs } : {}),
          restart: { ...DEFAULT_RESTART, ...o.restart }, sleep: o.sleep ?? abortableSleep, now: o.now ?? Date.now,
          ...(o.random ? { random: o.random } : {}), ...(o.limits ? { limits: o.limits } : {}), ...(o.resources ? { resources: o.resources } : {}),
        }));
      } catch (err) {
        this.#idle.push({ ...c, error: errorMessage(err) });
        o.log.error(`plugin ${c.id} cannot start: ${errorMessage(err)}`, { plugin: c.id });
      }
    }
  }

  async start(): Promise<void> {
    await Promise.all([...this.#instances.values()].map((i) => i.start()));
  }

  instance(id: string): PluginInstance | undefined {
    return this.#instances.get(id);
  }

  /** Running plugins first (in discovery order), then the ones that are not. */
  list(): PluginInfo[] {
    const live = [...this.#instances.values()].map((i): PluginInfo => {
      const c = i.o.candidate;
      const d = i.declaration;
      return {
        id: i.id, ...meta(c), dir: c.dir, source: c.source, state: i.state, ...(i.reason ? { reason: i.reason } : {}), ...(i.pid ? { pid: i.pid } : {}),
        crashes: i.crashes, restarts: i.restarts, network: c.ready.network,
        hooks: d?.hooks.map((h) => h.name) ?? [], tools: d?.tools.map((t) => t.name) ?? [], commands: d?.commands.map((x) => x.name) ?? [], services: d?.services ?? [],
      };
    });
    const idle = this.#idle.map((c): PluginInfo => ({
      id: c.id, ...meta(c), dir: c.dir, source: c.source, state: c.skipped ? "skipped" : "refused", reason: c.skipped ?? c.error ?? "",
      crashes: 0, restarts: 0, network: c.ready?.network ?? true, hooks: [], tools: [], commands: [], services: [],
    }));
    return [...live, ...idle];
  }

  /** plugins.restart: restart a plugin now (a disabled one too). NotFoundError for an id that is not loaded. */
  async restart(id: string): Promise<PluginInfo> {
    const inst = this.#instances.get(id);
    if (!inst) {
      const idle = this.#idle.find((c) => c.id === id);
      throw new NotFoundError(idle ? `plugin ${id} is not loaded (${idle.skipped ?? idle.error}); fix that and restart the gateway` : `no plugin ${id}; openclaw plugins list shows the installed ones`);
    }
    await inst.restartNow();
    return this.list().find((p) => p.id === id)!;
  }

  /** A running plugin's command by name, for commands.ts. */
  commandOwner(name: string): PluginInstance | undefined {
    return [...this.#instances.values()].find((i) => i.state === "running" && i.declaration?.commands.some((c) => c.name === name));
  }

  async stop(graceMs = 2000): Promise<void> {
    await settleWithin([...this.#instances.values()].map((i) => i.stop(graceMs)), graceMs * 2);
  }
}

function meta(c: PluginCandidate): { name?: string; version?: string } {
  const m = c.ready?.manifest;
  return { ...(m?.name ? { name: m.name } : {}), ...(m?.version ? { version: m.version } : {}) };
}
