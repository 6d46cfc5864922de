/**
 * `AgentRuntime`: the one entry to the agent for the gateway, channels, CLI and library users.
 *
 * - `start()` admits the input (admission.ts: validation, SessionStart, BeforeMessage, the durable
 *   user message, idempotency), queues the run and resolves.
 * - Runs of one session execute one at a time in that order; runs of different sessions
 *   concurrently, at most `maxConcurrent` at once (lanes.ts). The run itself is loop.ts.
 * - `abort()` stops running runs (the loop records "aborted") and ends queued ones at once (stored as
 *   run_started + run_finished "aborted" so the log has no unfinished run).
 * - `deleteSession()` aborts the session's runs, waits for them (and for admissions in flight) to
 *   end, then deletes it: no run can re-create a deleted session.
 * Node-compatible: no Bun APIs here.
 */
import { settleWithin } from "../core/backoff.ts";
import { errorMessage } from "../core/errors.ts";
import { createLogger, type Logger } from "../core/log.ts";
import { emptyUsage } from "../core/messages.ts";
import type { SandboxConfig } from "../config/schema.ts";
import type { Provider, ToolSpec } from "../providers/types.ts";
import type { Executor } from "../sandbox/executor.ts";
import { SingleNodeCluster, type Cluster } from "../store/cluster.ts";
import { MemoryStore } from "../store/memory.ts";
import type { SessionStore, UnfinishedRun } from "../store/types.ts";
import type { ToolPolicy } from "../tools/registry.ts";
import type { Tool } from "../tools/types.ts";
import { Admission } from "./admission.ts";
import { resolveExecutor } from "./tool-executor.ts";
import { HistoryCache } from "./history.ts";
import type { ChatCommandHandler } from "./chat-commands.ts";
import { HookDispatcher, type HookHandlers, type HookOptions } from "./hooks.ts";
import { Lanes, type LaneJob } from "./lanes.ts";
import { takeRunLease } from "./run-lease.ts";
import { ToolSet } from "./toolset.ts";
import { DEFAULT_LIMITS, DEFAULT_TOOL_SETTINGS, type RuntimeOptions } from "./options.ts";
import { executeRun, stopRun, type ExternalStop, type LoopDeps, type RunState } from "./loop.ts";
import type { AgentEvent, AgentResponse, RunHandle, RunInfo, RunInput } from "./types.ts";

interface ActiveRun {
  state: RunState;
  job: LaneJob;
  status: "queued" | "running" | "done";
  idemKey?: string;
  done: Promise<AgentResponse>;
  resolve(r: AgentResponse): void;
}

/**
 * Runs in flight at once per agent when the config sets none. The limit exists to protect the
 * model provider's rate limits (requests and tokens per minute), not the gateway: 16 turns of
 * 5–10 s each is ~100–200 requests a minute. See docs/performance.md for what each value costs.
 */
export const DEFAULT_MAX_CONCURRENT = 16;

export class AgentRuntime {
  /** THE hook dispatcher; the plugin host registers here too. */
  readonly hooks: HookDispatcher;
  readonly #provider: Provider;
  readonly #opts: RuntimeOptions;
  readonly #log: Logger;
  readonly #lanes: Lanes;
  #store: SessionStore | undefined;
  readonly #tools = new ToolSet();
  #deps: LoopDeps | undefined;
  #sandbox: Partial<SandboxConfig> | Executor | undefined;
  #executor: Promise<Executor> | undefined;
  #active = new Map<string, ActiveRun>();
  #byIdem = new Map<string, string>();
  readonly #admission: Admission;
  #listeners = new Set<(e: AgentEvent) => void>();
  /** sessions used by this process, most recent last (SessionEnd at shutdown); capped */
  #touched = new Set<string>();
  readonly #history: HistoryCache;
  #closed = false;
  #commands: ChatCommandHandler | undefined;
  #cluster: Cluster | undefined;
  #sweeping: Promise<UnfinishedRun[]> | undefined;

  constructor(provider: Provider, options: RuntimeOptions = {}) {
    this.#provider = provider;
    this.#opts = options;
    this.#log = options.log ?? createLogger("agent");
    this.hooks = new HookDispatcher(this.#log.child("hooks"));
    this.#lanes = new Lanes(options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT);
    this.#history = new HistoryCache(options.historyCache);
    this.#admission = new Admission({
      store: () => this.store,
      hooks: this.hooks,
      lanes: this.#lanes,
      history: this.#history,
      agentId: this.agentId,
      model: options.model ?? "",
      closed: () => this.#closed,
      live: (idemKey) => {
        const runId = this.#byIdem.get(idemKey);
        const active = runId ? this.#active.get(runId) : undefined;
        return active ? this.#handle(active, true) : undefined;
      },
      liveRun: (runId) => {
        const active = this.#active.get(runId);
        return active ? this.#handle(active, true) : undefined;
      },
      register: (state, o) => this.#register(state, o),
      broadcast: (e) => this.#broadcast(e),
      commands: () => this.#commands,
      deferStart: () => this.cluster.multiNode,
      touched: (sessionKey) => {
        this.#touched.delete(sessionKey);
        this.#touched.add(sessionKey);
        if (this.#touched.size > 10_000) this.#touched.delete(this.#touched.values().next().value!);
      },
    });
  }

  get store(): SessionStore {
    return (this.#store ??= new MemoryStore());
  }

  get agentId(): string {
    return this.#opts.agentId ?? "main";
  }

  /** Add tools (a tool with the same name replaces the earlier one). The tool policy (setToolPolicy) applies to them. */
  withTools(tools: Tool[]): this {
    this.#tools.add(tools);
    this.#deps = undefined;
    return this;
  }

  /**
   * Change the tool policy at runtime (`tools.allow` / `tools.deny`; deny wins, an empty allow allows
   * everything not denied). Runs that start afterwards see the new tool set; a run in flight keeps
   * the set it started with.
   */
  setToolPolicy(policy: ToolPolicy): this {
    this.#tools.setPolicy(policy);
    this.#deps = undefined;
    return this;
  }

  /** A sandbox config (the executor is built on first use) or a ready Executor. */
  withSandbox(config: Partial<SandboxConfig> | Executor): this {
    this.#sandbox = config;
    this.#executor = undefined;
    this.#deps = undefined;
    return this;
  }

  /** Chat commands answered without a model call (the plugin host's); see chat-commands.ts. */
  withCommands(handler: ChatCommandHandler | undefined): this {
    this.#commands = handler;
    return this;
  }

  withHooks(hooks: Partial<HookHandlers>, opts?: HookOptions): this {
    this.hooks.registerAll(hooks, opts);
    return this;
  }

  /** The cluster this runtime's store is shared in (store/cluster.ts); default: one node alone. */
  withCluster(cluster: Cluster): this {
    this.#cluster = cluster;
    return this;
  }

  get cluster(): Cluster {
    return (this.#cluster ??= this.#opts.cluster ?? new SingleNodeCluster(() => this.store, { driver: "memory" }));
  }

  withStore(store: SessionStore): this {
    this.#store = store;
    this.#deps = undefined;
    return this;
  }

  onEvent(listener: (event: AgentEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  toolSpecs(): ToolSpec[] {
    return this.#tools.specs.map((s) => ({ ...s }));
  }

  /** Sizes of the runtime's per-session tables (the gateway's `gateway.memory` reports them). */
  memoryStats(): Record<string, number> {
    return { runsActive: this.#active.size, runIdempotencyKeys: this.#byIdem.size, sessionsTouched: this.#touched.size, historySessions: this.#history.size, historyBytes: this.#history.bytes, historySeen: this.#history.seenSize };
  }

  runs(): RunInfo[] {
    return [...this.#active.values()]
      .filter((r) => r.status !== "done")
      .map((r) => ({ runId: r.state.runId, sessionKey: r.state.sessionKey, startedAt: r.state.startedAt ?? r.state.queuedAt, state: r.status === "running" ? "running" : "queued" }));
  }

  start(input: RunInput): Promise<RunHandle> {
    return this.#admission.start(input);
  }

  #register(state: RunState, o: { startNow: boolean; idemKey?: string; signal?: AbortSignal }): RunHandle {
    let resolve!: (r: AgentResponse) => void;
    const done = new Promise<AgentResponse>((r) => (resolve = r));
    const job: LaneJob = { sessionKey: state.sessionKey, run: () => this.#execute(active) };
    const active: ActiveRun = { state, job, status: "queued", done, resolve, ...(o.idemKey ? { idemKey: o.idemKey } : {}) };
    this.#active.set(state.runId, active);
    if (o.idemKey) this.#byIdem.set(o.idemKey, state.runId);
    const runId = state.runId;
    if (o.signal) {
      if (o.signal.aborted) queueMicrotask(() => this.abort({ runId }));
      else o.signal.addEventListener("abort", () => this.abort({ runId }), { once: true });
    }
    if (o.startNow) this.#lanes.submitReserved(job);
    else this.#lanes.submit(job);
    return this.#handle(active, false);
  }

  async processMessage(context: string | { sessionKey: string }, text: string): Promise<AgentResponse> {
    const handle = await this.start({ sessionKey: typeof context === "string" ? context : context.sessionKey, text });
    return handle.done;
  }

  async *stream(context: string | { sessionKey: string }, text: string): AsyncIterable<AgentEvent> {
    const handle = await this.start({ sessionKey: typeof context === "string" ? context : context.sessionKey, text });
    yield* handle.events;
  }

  abort(target: { runId?: string; sessionKey?: string }): boolean {
    let any = false;
    for (const run of [...this.#active.values()]) {
      if (run.status === "done") continue;
      if (target.runId !== undefined && run.state.runId !== target.runId) continue;
      if (target.sessionKey !== undefined && run.state.sessionKey !== target.sessionKey) continue;
      if (target.runId === undefined && target.sessionKey === undefined) continue;
      any = true;
      this.#stop(run, { outcome: "aborted", cause: "aborted", reason: "aborted by request" });
    }
    return any;
  }

  /**
   * Deletes the session (its events, and the channel rows the store keys to it). Runs of the session
   * are aborted first and awaited, and admissions in flight settle first, so no run can write
   * (and so re-create the session) after the delete. New messages wait until it is done. Returns
   * false when there was no session.
   */
  deleteSession(sessionKey: string): Promise<boolean> {
    return this.#admission.exclusive(sessionKey, async () => {
      const runs = [...this.#active.values()].filter((r) => r.state.sessionKey === sessionKey && r.status !== "done");
      for (const run of runs) this.#stop(run, { outcome: "aborted", cause: "aborted", reason: "aborted: the session is being deleted" });
      await Promise.all(runs.map((r) => r.done));
      const deleted = await this.store.deleteSession(sessionKey);
      this.#history.forget(sessionKey);
      this.#touched.delete(sessionKey);
      return deleted;
    });
  }

  #stop(run: ActiveRun, stop: ExternalStop): void {
    if (run.status === "queued" && this.#lanes.cancel(run.job)) {
      run.status = "done";
      void this.#finishQueued(run, stop);
    } else stopRun(run.state, stop);
  }

  /**
   * Marks unfinished runs nobody runs any more `interrupted` and emits their `final` to listeners.
   * One node: every unfinished run not live here (at start). Several nodes: only runs whose node is
   * dead, each by exactly one node (the cluster's sweep); the gateway calls this every heart-beat.
   * `isLive`: runs in flight in this process (default: this runtime's; the gateway passes every agent's).
   */
  recoverInterrupted(isLive?: (runId: string) => boolean): Promise<UnfinishedRun[]> {
    return (this.#sweeping ??= this.#sweep(isLive ?? ((id) => this.#active.has(id))).finally(() => (this.#sweeping = undefined)));
  }

  async #sweep(isLive: (runId: string) => boolean): Promise<UnfinishedRun[]> {
    const multi = this.cluster.multiNode;
    const reason = multi ? "the node running this run stopped while it was in flight" : "the process stopped while this run was in flight";
    const marked = await this.cluster.sweepOrphans(async (u) => {
      if (isLive(u.runId) || this.#active.has(u.runId)) return false;
      const durationMs = Math.max(0, Date.now() - u.startedAt);
      const events = await this.store.append(u.sessionKey, {
        data: { type: "run_finished", runId: u.runId, outcome: "interrupted", cause: "interrupted", reason, durationMs },
      });
      this.#history.appended(u.sessionKey, [events]);
      this.#broadcast({ type: "final", runId: u.runId, sessionKey: u.sessionKey, text: "", outcome: "interrupted", cause: "interrupted", usage: emptyUsage(), durationMs, reason });
      return true;
    });
    if (marked.length) this.#log.warn("marked interrupted runs", { count: marked.length });
    return marked;
  }

  async resetSession(sessionKey: string): Promise<void> {
    await this.store.append(sessionKey, { data: { type: "session_reset", reason: "reset" } });
    if (this.hooks.has("SessionEnd")) this.hooks.observe("SessionEnd", { sessionKey, agentId: this.agentId, reason: "reset" });
  }

  async shutdown(graceMs: number): Promise<void> {
    this.#closed = true;
    const pending = () => [...this.#active.values()].filter((r) => r.status !== "done").map((r) => r.done);
    await settleWithin(pending(), graceMs);
    for (const run of this.#active.values()) {
      if (run.status !== "done") this.#stop(run, { outcome: "aborted", cause: "shutdown", reason: "aborted: the runtime is shutting down" });
    }
    await settleWithin(pending(), 5000);
    if (this.hooks.has("SessionEnd")) {
      for (const sessionKey of this.#touched) this.hooks.observe("SessionEnd", { sessionKey, agentId: this.agentId, reason: "shutdown" });
    }
    await settleWithin([this.hooks.drain()], 2000);
    this.#history.close();
  }

  /** The loop's dependencies; built once and rebuilt only when tools, sandbox or store change. */
  #loopDeps(): LoopDeps {
    if (this.#deps) return this.#deps;
    const o = this.#opts;
    return (this.#deps = {
      provider: this.#provider,
      store: this.store,
      tools: this.#tools.tools,
      toolSpecs: this.#tools.specs,
      history: this.#history,
      hooks: this.hooks,
      executor: () => (this.#executor ??= resolveExecutor(this.#sandbox, o.workspace, this.#log)),
      toolSettings: o.toolSettings ?? DEFAULT_TOOL_SETTINGS,
      limits: { ...DEFAULT_LIMITS, ...o.limits },
      ...(o.systemPrompt !== undefined ? { systemPrompt: o.systemPrompt } : {}),
      ...(o.workspace !== undefined ? { workspace: o.workspace } : {}),
      contextWindow: o.contextWindow ?? 200_000,
      reserveTokens: o.reserveTokens ?? 16_384,
      ...(o.thinking ? { thinking: o.thinking } : {}),
      maxParallelTools: o.maxParallelTools ?? 8,
      displayModel: o.displayModel ?? "default",
      log: this.#log,
      emit: (run, e) => this.#emit(run, e),
    });
  }

  async #execute(run: ActiveRun): Promise<void> {
    if (run.status === "done") return;
    const lease = await takeRunLease(this.cluster, this.#lanes, run.job, run.state); // several nodes: this run is next cluster-wide
    run.status = "running";
    let response: AgentResponse;
    try {
      response = await executeRun(this.#loopDeps(), run.state);
    } finally {
      await lease?.release().catch((err: unknown) => this.#log.warn("could not release a run lease", { runId: run.state.runId, error: errorMessage(err) }));
    }
    this.#settle(run, response);
  }

  async #finishQueued(run: ActiveRun, stop: ExternalStop): Promise<void> {
    const { reason, cause } = stop;
    const { state } = run;
    const now = Date.now();
    try {
      await this.store.appendMany(state.sessionKey, [
        { data: { type: "run_started", runId: state.runId } },
        { data: { type: "run_finished", runId: state.runId, outcome: "aborted", cause, reason, usage: emptyUsage(), durationMs: 0 } },
      ], { trusted: true });
    } catch (err) {
      this.#log.error("could not record an aborted queued run", { runId: state.runId, error: errorMessage(err) });
    }
    const base = { runId: state.runId, sessionKey: state.sessionKey };
    this.#emit(state, { type: "run_started", ...base, ts: now, model: state.model || this.#loopDeps().displayModel });
    const response: AgentResponse = { ...base, text: "", outcome: "aborted", cause, usage: emptyUsage(), durationMs: 0, reason };
    this.#emit(state, { type: "final", ...response });
    this.#settle(run, response);
  }

  #settle(run: ActiveRun, response: AgentResponse): void {
    run.status = "done";
    this.#active.delete(run.state.runId);
    if (run.idemKey && this.#byIdem.get(run.idemKey) === run.state.runId) this.#byIdem.delete(run.idemKey);
    run.resolve(response);
  }

  #emit(run: RunState, event: AgentEvent): void {
    run.events.push(event);
    if (event.type === "final") run.events.end();
    this.#broadcast(event);
  }

  #broadcast(event: AgentEvent): void {
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch (err) {
        this.#log.warn("an event listener threw", { error: errorMessage(err) });
      }
    }
  }

  #handle(run: ActiveRun, deduplicated: boolean): RunHandle {
    return { runId: run.state.runId, sessionKey: run.state.sessionKey, deduplicated, events: run.state.events, done: run.done };
  }
}
