/**
 * `buildRuntime(config, store, { agentId })`: the AgentRuntime of one configured agent, as the
 * gateway and the CLI run it, wired from `agents.defaults` overlaid with `agents.entries.<id>` —
 * the model router (primary + fallbacks), the built-in tools after `tools.allow` / `tools.deny`,
 * the agent's own sandbox executor and workspace (config/agents.ts), limits, `maxConcurrent`,
 * compaction window, thinking, and the hook dispatcher (`runtime.hooks`, where the plugin host
 * registers). Throws `ConfigError` when the sandbox settings are refused (e.g. an allowed path
 * covering the state dir). The caller checks the id (config/agents.ts `checkAgentId`).
 */
import type { Config } from "../config/schema.ts";
import { agentSettings, agentWorkspace, MAIN_AGENT } from "../config/agents.ts";
import { createLogger, type Logger } from "../core/log.ts";
import type { Provider } from "../providers/types.ts";
import { createModelRouter } from "../providers/registry.ts";
import type { Executor } from "../sandbox/executor.ts";
import { createExecutor } from "../sandbox/create-executor.ts";
import type { SessionStore } from "../store/types.ts";
import { defaultTools } from "../tools/registry.ts";
import type { Tool } from "../tools/types.ts";
import { AgentRuntime } from "./runtime.ts";

export interface BuildRuntimeOptions {
  log?: Logger;
  agentId?: string;
  /** replaces the model router (tests, embedders) */
  provider?: Provider;
  /** replaces the configured sandbox executor */
  executor?: Executor;
  /** extra tools (plugins); policy applies to them too */
  extraTools?: Tool[];
}

export function buildRuntime(config: Config, store: SessionStore, opts: BuildRuntimeOptions = {}): AgentRuntime {
  const agentId = opts.agentId ?? MAIN_AGENT;
  const log = opts.log ?? createLogger("agent");
  const s = agentSettings(config, agentId);
  const workspace = agentWorkspace(config, agentId);
  const provider = opts.provider ?? createModelRouter(config, { agentId, log: log.child("providers") });
  const runtime = new AgentRuntime(provider, {
    agentId,
    workspace,
    displayModel: "defaultModel" in provider && typeof provider.defaultModel === "string" ? provider.defaultModel : provider.id,
    ...(s.maxConcurrent ? { maxConcurrent: s.maxConcurrent } : {}),
    ...(s.historyCache ? { historyCache: s.historyCache } : {}),
    ...(s.limits ? { limits: s.limits } : {}),
    ...(s.systemPrompt ? { systemPrompt: s.systemPrompt } : {}),
    ...(s.contextWindow ? { contextWindow: s.contextWindow } : {}),
    ...(s.reserveTokens ? { reserveTokens: s.reserveTokens } : {}),
    ...(s.thinking?.enabled ? { thinking: { budgetTokens: s.thinking.budgetTokens } } : {}),
    toolSettings: { webFetch: { maxBytes: config.tools.web.fetch.maxBytes, allowPrivateNetwork: config.tools.web.fetch.allowPrivateNetwork } },
    log,
  });
  const policy = { ...(config.tools.allow ? { allow: config.tools.allow } : {}), deny: config.tools.deny };
  // every tool is registered; the policy filters them and can be changed later (config.patch tools.*)
  runtime
    .withStore(store)
    .setToolPolicy(policy)
    .withTools([...defaultTools(), ...(opts.extraTools ?? [])])
    .withSandbox(opts.executor ?? createExecutor(config, agentId, { log: log.child("sandbox"), workspace }));
  return runtime;
}
