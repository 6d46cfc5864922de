/**
 * The one place an `Executor` is chosen: `off` → `HostExecutor` (logs its loud warning);
 * `standard` / `strict` → `BwrapExecutor` (probes at first use and fails closed).
 *
 * `createExecutor` (a gateway's agents) also publishes this gateway's state dir and secret paths to
 * the per-host instance registry (instances.ts), so other gateways' sandboxes hide them.
 */
import type { Config, SandboxConfig } from "../config/schema.ts";
import { createLogger, type Logger } from "../core/log.ts";
import { BwrapExecutor } from "./bwrap.ts";
import { resolveSandbox, resolveSandboxConfig, type ResolvedSandboxConfig, type ResolveOptions } from "./config.ts";
import type { Executor } from "./executor.ts";
import { HostExecutor } from "./host.ts";
import { registerInstance } from "./instances.ts";

export interface ExecutorOptions extends ResolveOptions {
  log?: Logger;
  hostEnv?: Record<string, string | undefined>;
  /** the instance registry folder (tests), or false to not register; default see instances.ts */
  registryDir?: string | false;
}

/** The executor for one agent of a loaded config. Throws `ConfigError` for refused allowed paths. */
export function createExecutor(config: Config, agentId = "main", opts: ExecutorOptions = {}): Executor {
  const resolved = resolveSandboxConfig(config, agentId, opts);
  if (opts.registryDir !== false) {
    const entry = registerInstance([resolved.stateDir, ...resolved.secretPaths], opts.registryDir);
    if (!entry) {
      (opts.log ?? createLogger("sandbox")).warn("sandbox: no writable instance registry (/run/openclaw-instances or /tmp); other gateways' sandboxes on this host will not hide this gateway's files outside /home and /root");
    }
  }
  return executorFor(resolved, { ...opts, ...(opts.registryDir ? { registryDirs: [opts.registryDir] } : {}) });
}

/** The executor for a partial sandbox config (`AgentRuntime.withSandbox({...})`); `workspace` from opts. */
export function createSandboxExecutor(partial: Partial<SandboxConfig>, opts: ExecutorOptions = {}): Executor {
  return executorFor(resolveSandbox(partial, opts), opts);
}

export function executorFor(
  resolved: ResolvedSandboxConfig,
  opts: Pick<ExecutorOptions, "log" | "hostEnv"> & { registryDirs?: string[] } = {},
): Executor {
  if (resolved.level === "off") return new HostExecutor(resolved, opts);
  return new BwrapExecutor(resolved, opts);
}
