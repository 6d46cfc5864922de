/**
 * `AgentRouter`: one `AgentRuntime` per configured agent behind the one `GatewayRuntime` the
 * gateway serves. `start()` goes to the runtime named by `input.agentId`, else by the session key
 * (`agent:<id>:…`), else `main` (a key without that prefix, such as `cli:test`). An unknown id, in
 * `agentId` or in the session key, is refused with `UnknownAgentError` (-32602) listing the
 * configured ids. A session key that names one agent while `agentId` names another is refused too:
 * a session belongs to one agent, so its runs stay in one runtime's per-session queue.
 *
 * `runs()` and `onEvent()` merge every runtime; `abort()` reaches whichever runtime holds the run;
 * `setToolPolicy()` and `shutdown()` apply to all. The runtimes share one store.
 */
import type { AgentRuntime } from "../agent/runtime.ts";
import type { AgentEvent, RunHandle, RunInfo, RunInput } from "../agent/types.ts";
import { agentOfSessionKey, knownAgentId, MAIN_AGENT } from "../config/agents.ts";
import { InvalidParamsError } from "../core/errors.ts";
import type { GatewayRuntime } from "../gateway/deps.ts";
import type { ToolSpec } from "../providers/types.ts";
import type { SessionStore } from "../store/types.ts";
import type { ToolPolicy } from "../tools/registry.ts";

export class AgentRouter implements GatewayRuntime {
  readonly #runtimes: ReadonlyMap<string, AgentRuntime>;

  /** `runtimes` must hold `main`; every runtime must use `store`. */
  constructor(
    runtimes: ReadonlyMap<string, AgentRuntime>,
    readonly store: SessionStore,
  ) {
    if (!runtimes.has(MAIN_AGENT)) throw new Error(`AgentRouter needs a "${MAIN_AGENT}" runtime`);
    this.#runtimes = runtimes;
  }

  agentIds(): string[] {
    return [...this.#runtimes.keys()];
  }

  /** The runtime of a configured agent; UnknownAgentError otherwise. */
  get(agentId: string): AgentRuntime {
    return this.#runtimes.get(knownAgentId(this.agentIds(), agentId))!;
  }

  /** Which agent a run input goes to (see the file comment). Throws for an unknown or conflicting id. */
  route(input: Pick<RunInput, "agentId" | "sessionKey">): string {
    const byKey = agentOfSessionKey(input.sessionKey);
    const keyAgent = byKey === null ? null : knownAgentId(this.agentIds(), byKey);
    if (input.agentId === undefined) return keyAgent ?? MAIN_AGENT;
    const id = knownAgentId(this.agentIds(), input.agentId);
    if (keyAgent !== null && keyAgent !== id) {
      throw new InvalidParamsError(
        `session ${input.sessionKey} belongs to agent "${keyAgent}", not "${id}"; drop agentId or use a session key of agent "${id}" (agent:${id}:…)`,
      );
    }
    return id;
  }

  async start(input: RunInput): Promise<RunHandle> {
    const agentId = this.route(input);
    return this.#runtimes.get(agentId)!.start({ ...input, agentId });
  }

  abort(target: { runId?: string; sessionKey?: string }): boolean {
    let any = false;
    for (const r of this.#runtimes.values()) any = r.abort(target) || any;
    return any;
  }

  onEvent(listener: (event: AgentEvent) => void): () => void {
    const offs = [...this.#runtimes.values()].map((r) => r.onEvent(listener));
    return () => offs.forEach((off) => off());
  }

  runs(): RunInfo[] {
    return [...this.#runtimes.values()].flatMap((r) => r.runs());
  }

  /** The tools of the main agent (every agent has the same tools under the one `tools` policy). */
  toolSpecs(): ToolSpec[] {
    return this.#runtimes.get(MAIN_AGENT)!.toolSpecs();
  }

  setToolPolicy(policy: ToolPolicy): this {
    for (const r of this.#runtimes.values()) r.setToolPolicy(policy);
    return this;
  }

  resetSession(sessionKey: string): Promise<void> {
    return this.#owner(sessionKey).resetSession(sessionKey);
  }

  /** Aborts and awaits the session's runs in the runtime that owns it, then deletes it. */
  deleteSession(sessionKey: string): Promise<boolean> {
    return this.#owner(sessionKey).deleteSession(sessionKey);
  }

  /** The runtime a session's runs go to: its key's agent, else `main` (as `route()` decides). */
  #owner(sessionKey: string): AgentRuntime {
    const byKey = agentOfSessionKey(sessionKey);
    return (byKey !== null ? this.#runtimes.get(byKey) : undefined) ?? this.#runtimes.get(MAIN_AGENT)!;
  }

  async shutdown(graceMs: number): Promise<void> {
    await Promise.all([...this.#runtimes.values()].map((r) => r.shutdown(graceMs)));
  }
}
