/**
 * The configured agents. `main` always exists (built from `agents.defaults`); every id in
 * `agents.entries` (or OpenClaw's `agents.list`, which the schema folds into `entries`) is one more
 * agent that inherits `agents.defaults` and overrides what it sets. Each agent has its own
 * workspace: `main` uses `agents.defaults.workspace` (else `<state dir>/workspace`); any other
 * agent its own `workspace`, else `<state dir>/workspace-<id>` — never a directory another agent
 * (with another sandbox) writes.
 */
import { join } from "node:path";
import { InvalidParamsError } from "../core/errors.ts";
import { defaultWorkspace, expandHome, stateDir } from "./paths.ts";
import { AGENT_ID_PATTERN, type AgentSettings, type Config } from "./schema.ts";

export const MAIN_AGENT = "main";

/** A request named an agent the config does not define. JSON-RPC -32602, HTTP 400; CLI exit 2. */
export class UnknownAgentError extends InvalidParamsError {
  static override readonly type: string = "UnknownAgentError";
}

/** `main` first, then the configured ids in config order. */
export function agentIds(config: Config): string[] {
  return [MAIN_AGENT, ...Object.keys(config.agents.entries).filter((id) => id !== MAIN_AGENT)];
}

/** The id itself when configured; else UnknownAgentError listing the known ids and the fix. */
export function checkAgentId(config: Config, agentId: string): string {
  return knownAgentId(agentIds(config), agentId);
}

export function knownAgentId(known: readonly string[], agentId: string): string {
  if (known.includes(agentId)) return agentId;
  throw new UnknownAgentError(
    `unknown agent "${agentId}"; configured agents: ${known.join(", ")} (add agents.entries.${AGENT_ID_PATTERN.test(agentId) ? agentId : "<id>"} to the config to define it)`,
    { details: { agentId, known: [...known] } },
  );
}

/** The agent a session key names (`agent:<id>:…`), or null. */
export function agentOfSessionKey(sessionKey: string | undefined): string | null {
  const m = sessionKey ? /^agent:([^:]+):/.exec(sessionKey) : null;
  return m ? m[1]! : null;
}

/** `agents.defaults` overlaid with the agent's entry (shallow; `limits` merged key by key). */
export function agentSettings(config: Config, agentId: string): AgentSettings {
  const d = config.agents.defaults;
  const e = config.agents.entries[agentId] ?? {};
  return { ...d, ...e, limits: { ...(d.limits ?? {}), ...(e.limits ?? {}) } };
}

/** The agent's workspace directory (absolute, `~` expanded). */
export function agentWorkspace(config: Config, agentId: string): string {
  const own = config.agents.entries[agentId]?.workspace;
  if (own !== undefined) return expandHome(own);
  if (agentId === MAIN_AGENT) return expandHome(config.agents.defaults.workspace ?? defaultWorkspace());
  return join(stateDir(), `workspace-${agentId}`);
}
