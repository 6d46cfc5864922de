/**
 * The one place an `Executor` is chosen: `off` → `HostExecutor` (logs its loud warning);
 * `standard` / `strict` → `BwrapExecutor` (probes at first use and fails closed).
 */
import type { Config, SandboxConfig } from "../config/schema.ts";
import type { Logger } from "../core/log.ts";
import { BwrapExecutor } from "./bwrap.ts";
import { resolveSandbox, resolveSandboxConfig, type ResolvedSandboxConfig, type ResolveOptions } from "./config.ts";
import type { Executor } from "./executor.ts";
import { HostExecutor } from "./host.ts";

export interface ExecutorOptions extends ResolveOptions {
  log?: Logger;
  hostEnv?: Record<string, string | undefined>;
}

/** The executor for one agent of a loaded config. Throws `ConfigError` for refused allowed paths. */
export function createExecutor(config: Config, agentId = "main", opts: ExecutorOptions = {}): Executor {
  return executorFor(resolveSandboxConfig(config, agentId, opts), opts);
}

/** The executor for a partial sandbox config (`AgentRuntime.withSandbox({...})`); `workspace` from opts. */
export function createSandboxExecutor(partial: Partial<SandboxConfig>, opts: ExecutorOptions = {}): Executor {
  return executorFor(resolveSandbox(partial, opts), opts);
}

export function executorFor(resolved: ResolvedSandboxConfig, opts: Pick<ExecutorOptions, "log" | "hostEnv"> = {}): Executor {
  if (resolved.level === "off") return new HostExecutor(resolved, opts);
  return new BwrapExecutor(resolved, opts);
}
