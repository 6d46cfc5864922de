/** What an `AgentRuntime` is built with, and the defaults it falls back to. */
import type { Logger } from "../core/log.ts";
import type { Cluster } from "../store/cluster.ts";
import type { ToolSettings } from "../tools/types.ts";
import type { HistoryCacheBounds } from "./history.ts";
import type { RunLimits } from "./loop.ts";

export interface RuntimeOptions {
  /** `provider/model`; default "" = the provider's own default (the router's primary + fallbacks) */
  model?: string;
  agentId?: string;
  /** holds AGENTS.md, SOUL.md, USER.md, IDENTITY.md; also the sandbox's default allowed path */
  workspace?: string;
  /** runs executing at once across sessions; default 16 (DEFAULT_MAX_CONCURRENT) */
  maxConcurrent?: number;
  /** bounds of the history cache (history.ts); defaults 2,048 sessions, 64 MiB, idle 10 minutes */
  historyCache?: HistoryCacheBounds;
  limits?: Partial<RunLimits>;
  systemPrompt?: string;
  /** tokens; default 200,000 */
  contextWindow?: number;
  /** tokens kept free for the reply when deciding to compact; default 16,384 */
  reserveTokens?: number;
  toolSettings?: ToolSettings;
  log?: Logger;
  thinking?: { budgetTokens: number };
  /** the model name shown in `run_started` when `model` is "" (e.g. the configured primary) */
  displayModel?: string;
  /** tool calls of one assistant message run at once; default 8 */
  maxParallelTools?: number;
  /** several nodes on one store (store/cluster.ts): session run leases, orphan recovery; default one node alone */
  cluster?: Cluster;
}

export const DEFAULT_LIMITS: RunLimits = { maxSteps: 25, maxWallMs: 600_000, maxOutputTokens: 8192 };
export const DEFAULT_TOOL_SETTINGS: ToolSettings = { webFetch: { maxBytes: 2_000_000, allowPrivateNetwork: false } };
