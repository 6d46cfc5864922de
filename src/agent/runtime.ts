/**
 * `AgentRuntime`: the one entry to the agent for the gateway, channels, CLI and library users.
 *
 * - `start()` validates the input, runs SessionStart (first message of a session) and BeforeMessage,
 *   stores the user message durably (idempotent on `idempotencyKey`), queues the run and resolves.
 *   Admission is serialised per session up to the moment the append is handed to the store; the
 *   store's write queue keeps submission order, so the stored order of user messages is the call
 *   order while several admissions of one session share a group commit.
 * - Runs of one session execute one at a time in that order; runs of different sessions
 *   concurrently, at most `maxConcurrent` at once (lanes.ts). The run itself is loop.ts.
 * - `abort()` stops running runs (the loop records "aborted") and ends queued ones at once (stored as
 *   run_started + run_finished "aborted" so the log has no unfinished run).
 * Node-compatible: no Bun APIs here.
 */
import { ConflictError, errorMessage, InvalidParamsError, UnavailableError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import { createLogger, type Logger } from "../core/log.ts";
import { emptyUsage, type ContentBlock, type Message } from "../core/messages.ts";
import type { SandboxConfig } from "../config/schema.ts";
import type { Provider, ToolSpec } from "../providers/types.ts";
import type { Executor } from "../sandbox/executor.ts";
import { MemoryStore } from "../store/memory.ts";
import type { SessionStore, UnfinishedRun } from "../store/types.ts";
import type { ToolPolicy } from "../tools/registry.ts";
import type { Tool } from "../tools/types.ts";
import { EventBuffer } from "./event-buffer.ts";
import { resolveExecutor } from "./tool-executor.ts";
import { HistoryCache } from "./history.ts";
import { HookDispatcher, type HookHandlers, type HookOptions } from "./hooks.ts";
import { Lanes, type LaneJob } from "./lanes.ts";
import { ToolSet } from "./toolset.ts";
import { DEFAULT_LIMITS, DEFAULT_TOOL_SETTINGS, type RuntimeOptions } from "./options.ts";
import { executeRun, isPlainText, stopRun, type LoopDeps, type RunState } from "./loop.ts";
import { dedupedHandle, finishedHandle } from "./handles.ts";
import { RunInputSchema, type AgentEvent, type AgentResponse, type RunHandle, type RunInfo, type RunInput } from "./types.ts";


interface ActiveRun {
  state: RunState;
  job: LaneJob;
  status: "queued" | "running" | "done";
  idemKey?: string;
  done: Promise<AgentResponse>;
  resolve(r: AgentResponse): void;
}

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
  #admission = new Map<string, Promise<void>>();
  /** user messages handed to the store and not yet committed, per session (SessionStart detection) */
  #admitting = new Map<string, number>();
  #admittingKeys = new Set<string>();
  #listeners = new Set<(e: AgentEvent) => void>();
  /** sessions used by this process, most recent last (SessionEnd at shutdown); capped */
  #touched = new Set<string>();
  readonly #history = new HistoryCache();
  #closed = false;

  constructor(provider: Provider, options: RuntimeOptions = {}) {
    this.#provider = provider;
    this.#opts = options;
    this.#log = options.log ?? createLogger("agent");
    this.hooks = new HookDispatcher(this.#log.child("hooks"));
    this.#lanes = new Lanes(options.maxConcurrent ?? 4);
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

  withHooks(hooks: Partial<HookHandlers>, opts?: HookOptions): this {
    this.hooks.registerAll(hooks, opts);
    return this;
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

  runs(): RunInfo[] {
    return [...this.#active.values()]
      .filter((r) => r.status !== "done")
      .map((r) => ({ runId: r.state.runId, sessionKey: r.state.sessionKey, startedAt: r.state.startedAt ?? r.state.queuedAt, state: r.status === "running" ? "running" : "queued" }));
  }

  async start(input: RunInput): Promise<RunHandle> {
    if (this.#closed) throw new UnavailableError("the agent runtime is shutting down; try again after the restart");
    const parsed = RunInputSchema.safeParse(input);
    if (!parsed.success) throw new InvalidParamsError(`invalid run input: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(input)"}: ${i.message}`).join("; ")}`);
    const agentId = parsed.data.agentId ?? this.agentId;
    const sessionKey = parsed.data.sessionKey ?? `agent:${agentId}:main`;
    const prev = this.#admission.get(sessionKey) ?? Promise.resolve();
    let release!: () => void;
    const chain = prev.then(() => new Promise<void>((r) => (release = r)));
    this.#admission.set(sessionKey, chain);
    await prev;
    try {
      return await this.#admit(input, agentId, sessionKey, release);
    } finally {
      release();
      if (this.#admission.get(sessionKey) === chain) this.#admission.delete(sessionKey);
    }
  }

  async #admit(input: RunInput, agentId: string, sessionKey: string, submitted: () => void): Promise<RunHandle> {
    if (this.#closed) throw new UnavailableError("the agent runtime is shutting down; try again after the restart");
    const store = this.store;
    const idemKey = input.idempotencyKey ? `run:${sessionKey}:${input.idempotencyKey}` : undefined;
    if (idemKey) {
      const live = this.#byIdem.get(idemKey);
      const active = live ? this.#active.get(live) : undefined;
      if (active) return this.#handle(active, true);
      const prior = await store.findByIdempotencyKey(idemKey);
      if (prior) return dedupedHandle(store, prior);
    }
    const runId = newId("run");
    // no session read or write here: the append below creates a missing session (with this
    // metadata) in its own transaction; only SessionStart detection reads the session first
    const sessionMeta = { agentId, channel: input.channel ?? null, peer: input.peer ?? null };
    this.#touched.delete(sessionKey);
    this.#touched.add(sessionKey);
    if (this.#touched.size > 10_000) this.#touched.delete(this.#touched.values().next().value!);
    if (this.hooks.has("SessionStart") && !this.#admitting.has(sessionKey)) {
      const session = await store.getSession(sessionKey);
      if (!session || session.lastSeq === 0 || (await store.readLatest(sessionKey, 1))[0]?.data.type === "session_reset") {
        this.hooks.observe("SessionStart", { sessionKey, agentId, runId });
      }
    }
    let text = input.text;
    if (this.hooks.has("BeforeMessage")) {
      const d = await this.hooks.decide("BeforeMessage", {
        sessionKey, agentId, runId, text,
        ...(input.channel ? { channel: input.channel } : {}), ...(input.peer ? { peer: input.peer } : {}), ...(input.origin ? { origin: input.origin } : {}),
      });
      if (d.blocked) return finishedHandle(runId, sessionKey, `message blocked by the BeforeMessage hook of ${d.source}: ${d.reason}`, (e) => this.#broadcast(e));
      text = d.payload.text;
    }
    const content: ContentBlock[] = input.images?.length ? [...input.images, { type: "text", text }] : [{ type: "text", text }];
    const userMessage: Message = { role: "user", content };
    const model = input.model ?? this.#opts.model ?? "";
    // When the run can start at once (idle lane, free permit), run_started goes into the user
    // message's commit; otherwise the loop stores it with the run's next write.
    // (not when an admission with the same idempotency key is in flight: its user message wins and
    // this run never exists, so it must not leave a run_started behind)
    const startNow = !(idemKey && this.#admittingKeys.has(idemKey)) && this.#lanes.tryReserve(sessionKey);
    const entries = [{
      data: { type: "user_message" as const, runId, message: userMessage, ...(input.origin ? { origin: input.origin } : {}) },
      ...(idemKey ? { idempotencyKey: idemKey } : {}),
    }, ...(startNow ? [{ data: { type: "run_started" as const, runId, ...(model ? { model } : {}) } }] : [])];
    // text checked by RunInputSchema (or rewritten by a hook: checked here); images go through the schema
    const pending = store.appendMany(sessionKey, entries, { trusted: isPlainText(userMessage), session: sessionMeta });
    this.#admitting.set(sessionKey, (this.#admitting.get(sessionKey) ?? 0) + 1);
    if (idemKey) this.#admittingKeys.add(idemKey);
    submitted(); // the next admission of this session may go ahead: the write queue keeps the order
    let stored;
    try {
      const events = await pending;
      stored = events[0];
      this.#history.appended(sessionKey, events);
    } catch (err) {
      if (startNow) this.#lanes.cancelReservation(sessionKey);
      throw err;
    } finally {
      if (idemKey) this.#admittingKeys.delete(idemKey);
      const n = (this.#admitting.get(sessionKey) ?? 1) - 1;
      if (n <= 0) this.#admitting.delete(sessionKey);
      else this.#admitting.set(sessionKey, n);
    }
    if (stored!.data.type !== "user_message" || stored!.data.runId !== runId) {
      if (startNow) this.#lanes.cancelReservation(sessionKey);
      if (stored!.data.type !== "user_message") throw new ConflictError("the idempotency key is already used by another kind of event");
      const live = this.#active.get(stored!.data.runId); // an admission of the same key committed just before
      return live ? this.#handle(live, true) : dedupedHandle(store, stored!);
    }
    const state: RunState = {
      runId, sessionKey, agentId, userText: text, userMessage, userSeq: stored!.seq, model, startStored: startNow,
      controller: new AbortController(), events: new EventBuffer<AgentEvent>(), queuedAt: Date.now(),
    };
    let resolve!: (r: AgentResponse) => void;
    const done = new Promise<AgentResponse>((r) => (resolve = r));
    const job: LaneJob = { sessionKey, run: () => this.#execute(active) };
    const active: ActiveRun = { state, job, status: "queued", done, resolve, ...(idemKey ? { idemKey } : {}) };
    this.#active.set(runId, active);
    if (idemKey) this.#byIdem.set(idemKey, runId);
    if (input.signal) {
      if (input.signal.aborted) queueMicrotask(() => this.abort({ runId }));
      else input.signal.addEventListener("abort", () => this.abort({ runId }), { once: true });
    }
    if (startNow) this.#lanes.submitReserved(job);
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
      this.#stop(run, "aborted by request");
    }
    return any;
  }

  #stop(run: ActiveRun, reason: string): void {
    if (run.status === "queued" && this.#lanes.cancel(run.job)) {
      run.status = "done";
      void this.#finishQueued(run, reason);
    } else stopRun(run.state, "aborted", reason);
  }

  async recoverInterrupted(): Promise<UnfinishedRun[]> {
    const unfinished = (await this.store.listUnfinishedRuns()).filter((u) => !this.#active.has(u.runId));
    const now = Date.now();
    for (const u of unfinished) {
      await this.store.append(u.sessionKey, {
        data: { type: "run_finished", runId: u.runId, outcome: "interrupted", reason: "the process stopped while this run was in flight", durationMs: Math.max(0, now - u.startedAt) },
      });
    }
    if (unfinished.length) this.#log.warn("marked interrupted runs", { count: unfinished.length });
    return unfinished;
  }

  async resetSession(sessionKey: string): Promise<void> {
    await this.store.append(sessionKey, { data: { type: "session_reset", reason: "reset" } });
    if (this.hooks.has("SessionEnd")) this.hooks.observe("SessionEnd", { sessionKey, agentId: this.agentId, reason: "reset" });
  }

  async shutdown(graceMs: number): Promise<void> {
    this.#closed = true;
    const pending = () => [...this.#active.values()].filter((r) => r.status !== "done").map((r) => r.done);
    await settleWithin(pending(), graceMs);
    for (const run of this.#active.values()) if (run.status !== "done") this.#stop(run, "aborted: the runtime is shutting down");
    await settleWithin(pending(), 5000);
    if (this.hooks.has("SessionEnd")) {
      for (const sessionKey of this.#touched) this.hooks.observe("SessionEnd", { sessionKey, agentId: this.agentId, reason: "shutdown" });
    }
    await settleWithin([this.hooks.drain()], 2000);
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
    run.status = "running";
    const response = await executeRun(this.#loopDeps(), run.state);
    this.#settle(run, response);
  }

  async #finishQueued(run: ActiveRun, reason: string): Promise<void> {
    const { state } = run;
    const now = Date.now();
    try {
      await this.store.appendMany(state.sessionKey, [
        { data: { type: "run_started", runId: state.runId } },
        { data: { type: "run_finished", runId: state.runId, outcome: "aborted", reason, usage: emptyUsage(), durationMs: 0 } },
      ], { trusted: true });
    } catch (err) {
      this.#log.error("could not record an aborted queued run", { runId: state.runId, error: errorMessage(err) });
    }
    const base = { runId: state.runId, sessionKey: state.sessionKey };
    this.#emit(state, { type: "run_started", ...base, ts: now, model: state.model || this.#loopDeps().displayModel });
    const response: AgentResponse = { ...base, text: "", outcome: "aborted", usage: emptyUsage(), durationMs: 0, reason };
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

async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  if (!promises.length) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([Promise.allSettled(promises), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
