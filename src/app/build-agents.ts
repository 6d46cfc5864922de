/**
 * One runtime per configured agent (config/agents.ts): each with its own model router, workspace
 * and sandbox executor, all on the one store, behind an `AgentRouter`. Throws `ConfigError` when an
 * agent's sandbox settings are refused.
 */
import { buildRuntime } from "../agent/build-runtime.ts";
import type { AgentRuntime } from "../agent/runtime.ts";
import { agentIds, agentWorkspace, MAIN_AGENT } from "../config/agents.ts";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../core/log.ts";
import type { Provider } from "../providers/types.ts";
import { createExecutor } from "../sandbox/create-executor.ts";
import type { Executor } from "../sandbox/executor.ts";
import type { SandboxStatus } from "../gateway/deps.ts";
import type { SessionStore } from "../store/types.ts";
import { AgentRouter } from "./agent-router.ts";

export interface BuiltAgents {
  router: AgentRouter;
  executors: ReadonlyMap<string, Executor>;
  /** the gateway's sandbox status: main's level; available only when every agent's sandbox is */
  sandboxStatus(): Promise<SandboxStatus>;
}

export interface BuildAgentsOptions {
  log: Logger;
  /** replaces each agent's model router (embedders, tests of the wiring) */
  provider?: (agentId: string) => Provider;
}

export function buildAgents(config: Config, store: SessionStore, opts: BuildAgentsOptions): BuiltAgents {
  const runtimes = new Map<string, AgentRuntime>();
  const executors = new Map<string, Executor>();
  for (const agentId of agentIds(config)) {
    const log = agentId === MAIN_AGENT ? opts.log : opts.log.child(agentId);
    const executor = createExecutor(config, agentId, { log: log.child("sandbox"), workspace: agentWorkspace(config, agentId) });
    const provider = opts.provider?.(agentId);
    runtimes.set(agentId, buildRuntime(config, store, { agentId, log, executor, ...(provider ? { provider } : {}) }));
    executors.set(agentId, executor);
  }
  return {
    router: new AgentRouter(runtimes, store),
    executors,
    async sandboxStatus() {
      const all = await Promise.all([...executors].map(async ([id, ex]) => [id, await ex.status()] as const));
      const main = all.find(([id]) => id === MAIN_AGENT)![1];
      const down = all.filter(([, s]) => !s.ok);
      const detail = down.map(([id, s]) => (all.length > 1 ? `agent ${id}: ${s.reason ?? "unavailable"}` : (s.reason ?? "unavailable"))).join("; ");
      return { level: main.level, available: down.length === 0, ...(detail ? { detail } : main.reason ? { detail: main.reason } : {}) };
    },
  };
}
