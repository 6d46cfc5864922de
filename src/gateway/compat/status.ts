/**
 * OpenClaw's `status` answer: its `StatusSummary` (what `openclaw status` reads: `sessions` with
 * `count`, `recent` and `byAgent`, `heartbeat`, `tasks`, …) with our own status fields beside it
 * (`version`, `uptimeS`, `runsInFlight`, `channels`, …). Our `sessions` count becomes
 * `sessions.count`. What we do not have (OpenClaw's task registry, heartbeats, queued system
 * events) is reported empty, in OpenClaw's shape, rather than left out: the CLI reads it.
 */
import type { SessionRecord } from "../../store/types.ts";
import type { Gateway } from "../gateway.ts";

const RECENT = 10;
const TASK_STATUSES = ["queued", "running", "succeeded", "failed", "timed_out", "cancelled", "lost"] as const;
const TASK_RUNTIMES = ["subagent", "acp", "cli", "cron"] as const;
const AUDIT_CODES = ["stale_queued", "stale_running", "lost", "delivery_failed", "missing_cleanup", "inconsistent_timestamps"] as const;
const zeros = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, 0]));

export async function openclawStatus(gw: Gateway, ours: Record<string, unknown>): Promise<Record<string, unknown>> {
  const now = Date.now();
  const count = await gw.store.countSessions();
  const page = await gw.store.listSessions({ limit: RECENT });
  const recent = (s: SessionRecord) => ({ key: s.key, updatedAt: s.updatedAt, age: Math.max(0, now - s.updatedAt) });
  const path = gw.deps.stateDir ?? "";
  const model = gw.config().agents.defaults.model;
  const agents = [...new Set(["main", ...page.items.map((s) => s.agentId)])];
  const byAgent = agents.map((agentId) => {
    const mine = page.items.filter((s) => s.agentId === agentId);
    // the total is known for one agent; with several, each one's count is what the recent page shows
    return { agentId, path, count: agents.length === 1 ? count : mine.length, recent: mine.map(recent) };
  });
  return {
    ...ours,
    runtimeVersion: gw.version,
    heartbeat: { defaultAgentId: "main", agents: [] },
    channelSummary: [],
    queuedSystemEvents: [],
    degradedSecretOwners: [],
    tasks: { total: 0, active: 0, terminal: 0, failures: 0, byStatus: zeros(TASK_STATUSES), byRuntime: zeros(TASK_RUNTIMES) },
    taskAudit: { total: 0, warnings: 0, errors: 0, byCode: zeros(AUDIT_CODES) },
    sessions: {
      paths: path ? [path] : [],
      count,
      defaults: { model: typeof model === "string" ? model : ((model as { primary?: string } | undefined)?.primary ?? null), contextTokens: null },
      recent: page.items.map(recent),
      byAgent,
    },
  };
}
