/**
 * Admission: from `start()` input to a queued run. Validates the input, runs SessionStart (first
 * message of a session) and BeforeMessage, stores the user message durably (idempotent on
 * `idempotencyKey`) and hands the new run to the runtime (`register`), which queues it.
 *
 * Admissions of one session are serialised up to the moment the append is handed to the store;
 * the store's write queue keeps submission order, so the stored order of user messages is the call
 * order while several admissions of one session share a group commit. `exclusive()` waits for
 * every admission of a session in flight (registered or failed) and holds new ones back while it
 * runs: how a session is deleted without a run re-creating it.
 */
import { ConflictError, InvalidParamsError, UnavailableError } from "../core/errors.ts";
import type { StoredEvent } from "../core/events.ts";
import { newId } from "../core/ids.ts";
import type { ContentBlock, Message } from "../core/messages.ts";
import type { SessionStore } from "../store/types.ts";
import { answeredHandle, type ChatCommandHandler } from "./chat-commands.ts";
import { EventBuffer } from "./event-buffer.ts";
import { dedupedHandle, finishedHandle } from "./handles.ts";
import type { HistoryCache } from "./history.ts";
import type { HookDispatcher } from "./hooks.ts";
import type { Lanes } from "./lanes.ts";
import type { RunState } from "./loop.ts";
import { isPlainText } from "./run-log.ts";
import { RunInputSchema, type AgentEvent, type RunHandle, type RunInput } from "./types.ts";

export interface AdmissionDeps {
  store(): SessionStore;
  hooks: HookDispatcher;
  lanes: Lanes;
  history: HistoryCache;
  agentId: string;
  /** the runtime's model option ("" = the provider's default) */
  model: string;
  closed(): boolean;
  /** the handle of a live (queued or running) run admitted with this idempotency key */
  live(idemKey: string): RunHandle | undefined;
  /** the handle of a live run by id */
  liveRun(runId: string): RunHandle | undefined;
  /** takes the new run (synchronously, before `start()` resolves) and queues it */
  register(state: RunState, o: { startNow: boolean; idemKey?: string; signal?: AbortSignal }): RunHandle;
  broadcast(e: AgentEvent): void;
  /** a session was used by this process (SessionEnd at shutdown) */
  touched(sessionKey: string): void;
  /** chat commands answered without a model call (chat-commands.ts) */
  commands(): ChatCommandHandler | undefined;
  /** true with several nodes: run_started is stored when the run holds its session lease, not with the user message */
  deferStart?(): boolean;
}

const shuttingDown = () => new UnavailableError("the agent runtime is shutting down; try again after the restart");

export class Admission {
  readonly #d: AdmissionDeps;
  /** per session: the tail of the admission chain (resolves when the last one handed its append over) */
  readonly #chains = new Map<string, Promise<void>>();
  /** per session: every admission not yet settled (registered, deduplicated or failed) */
  readonly #inflight = new Map<string, Set<Promise<unknown>>>();
  /** user messages handed to the store and not yet committed, per session (SessionStart detection) */
  readonly #admitting = new Map<string, number>();
  readonly #admittingKeys = new Set<string>();

  constructor(deps: AdmissionDeps) {
    this.#d = deps;
  }

  async start(input: RunInput): Promise<RunHandle> {
    if (this.#d.closed()) throw shuttingDown();
    const parsed = RunInputSchema.safeParse(input);
    if (!parsed.success) throw new InvalidParamsError(`invalid run input: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(input)"}: ${i.message}`).join("; ")}`);
    const agentId = parsed.data.agentId ?? this.#d.agentId;
    const sessionKey = parsed.data.sessionKey ?? `agent:${agentId}:main`;
    return this.#track(sessionKey, this.#serialised(sessionKey, (release) => this.#admit(input, agentId, sessionKey, release)));
  }

  /** Runs `fn` once every admission of `sessionKey` in flight has settled, holding new ones back until it returns. */
  async exclusive<T>(sessionKey: string, fn: () => Promise<T>): Promise<T> {
    // taken now: admissions that start later queue behind this one (waiting for them would deadlock)
    const earlier = [...(this.#inflight.get(sessionKey) ?? [])];
    return this.#serialised(sessionKey, async (release) => {
      await Promise.allSettled(earlier);
      try {
        return await fn();
      } finally {
        release();
      }
    });
  }

  /** Chains `fn` behind the session's earlier admissions; `fn` calls `release` to let the next one go. */
  async #serialised<T>(sessionKey: string, fn: (release: () => void) => Promise<T>): Promise<T> {
    const prev = this.#chains.get(sessionKey) ?? Promise.resolve();
    let release!: () => void;
    const chain = prev.then(() => new Promise<void>((r) => (release = r)));
    this.#chains.set(sessionKey, chain);
    await prev;
    try {
      return await fn(release);
    } finally {
      release();
      if (this.#chains.get(sessionKey) === chain) this.#chains.delete(sessionKey);
    }
  }

  #track<T>(sessionKey: string, p: Promise<T>): Promise<T> {
    let set = this.#inflight.get(sessionKey);
    if (!set) this.#inflight.set(sessionKey, (set = new Set()));
    set.add(p);
    const done = () => {
      set.delete(p);
      if (set.size === 0 && this.#inflight.get(sessionKey) === set) this.#inflight.delete(sessionKey);
    };
    p.then(done, done);
    return p;
  }

  async #admit(input: RunInput, agentId: string, sessionKey: string, submitted: () => void): Promise<RunHandle> {
    if (this.#d.closed()) throw shuttingDown();
    const store = this.#d.store();
    const hooks = this.#d.hooks;
    const idemKey = input.idempotencyKey ? `run:${sessionKey}:${input.idempotencyKey}` : undefined;
    if (idemKey) {
      const live = this.#d.live(idemKey);
      if (live) return live;
      const prior = await store.findByIdempotencyKey(idemKey);
      if (prior) return dedupedHandle(store, prior);
    }
    const runId = newId("run");
    const commands = input.text.startsWith("/") ? this.#d.commands() : undefined;
    if (commands) {
      const answer = await commands(input.text, { sessionKey, agentId, channel: input.channel ?? "gateway", ...(input.peer ? { peer: input.peer } : {}) });
      if (answer) return answeredHandle(runId, sessionKey, answer.text, (e) => this.#d.broadcast(e));
    }
    // no session read or write here: the append below creates a missing session (with this
    // metadata) in its own transaction; only SessionStart detection reads the session first
    const sessionMeta = { agentId, channel: input.channel ?? null, peer: input.peer ?? null };
    this.#d.touched(sessionKey);
    if (hooks.has("SessionStart") && !this.#admitting.has(sessionKey)) {
      const session = await store.getSession(sessionKey);
      if (!session || session.lastSeq === 0 || (await store.readLatest(sessionKey, 1))[0]?.data.type === "session_reset") {
        hooks.observe("SessionStart", { sessionKey, agentId, runId });
      }
    }
    let text = input.text;
    if (hooks.has("BeforeMessage")) {
      const d = await hooks.decide("BeforeMessage", {
        sessionKey, agentId, runId, text,
        ...(input.channel ? { channel: input.channel } : {}), ...(input.peer ? { peer: input.peer } : {}), ...(input.origin ? { origin: input.origin } : {}),
      });
      if (d.blocked) return finishedHandle(runId, sessionKey, `message blocked by the BeforeMessage hook of ${d.source}: ${d.reason}`, (e) => this.#d.broadcast(e));
      text = d.payload.text;
    }
    const content: ContentBlock[] = input.images?.length ? [...input.images, { type: "text", text }] : [{ type: "text", text }];
    const userMessage: Message = { role: "user", content };
    const model = input.model ?? this.#d.model;
    // When the run can start at once (idle lane, free permit), run_started goes into the user
    // message's commit; otherwise the loop stores it with the run's next write.
    // (not when an admission with the same idempotency key is in flight: its user message wins and
    // this run never exists, so it must not leave a run_started behind)
    const startNow = !(idemKey && this.#admittingKeys.has(idemKey)) && this.#d.lanes.tryReserve(sessionKey);
    const deferStart = this.#d.deferStart?.() === true;
    const entries = [{
      data: { type: "user_message" as const, runId, message: userMessage, ...(input.origin ? { origin: input.origin } : {}) },
      ...(idemKey ? { idempotencyKey: idemKey } : {}),
    }, ...(startNow && !deferStart ? [{ data: { type: "run_started" as const, runId, ...(model ? { model } : {}) } }] : [])];
    // text checked by RunInputSchema (or rewritten by a hook: checked here); images go through the schema
    const pending = store.appendMany(sessionKey, entries, { trusted: isPlainText(userMessage), session: sessionMeta });
    this.#admitting.set(sessionKey, (this.#admitting.get(sessionKey) ?? 0) + 1);
    if (idemKey) this.#admittingKeys.add(idemKey);
    submitted(); // the next admission of this session may go ahead: the write queue keeps the order
    let stored: StoredEvent;
    try {
      const events = await pending;
      stored = events[0]!;
      this.#d.history.appended(sessionKey, events);
    } catch (err) {
      if (startNow) this.#d.lanes.cancelReservation(sessionKey);
      throw err;
    } finally {
      if (idemKey) this.#admittingKeys.delete(idemKey);
      const n = (this.#admitting.get(sessionKey) ?? 1) - 1;
      if (n <= 0) this.#admitting.delete(sessionKey);
      else this.#admitting.set(sessionKey, n);
    }
    if (stored.data.type !== "user_message" || stored.data.runId !== runId) {
      if (startNow) this.#d.lanes.cancelReservation(sessionKey);
      if (stored.data.type !== "user_message") throw new ConflictError("the idempotency key is already used by another kind of event");
      // an admission of the same key committed just before
      return this.#d.liveRun(stored.data.runId) ?? dedupedHandle(store, stored);
    }
    const state: RunState = {
      runId, sessionKey, agentId, userText: text, userMessage, userSeq: stored.seq, model, startStored: startNow && !deferStart,
      controller: new AbortController(), events: new EventBuffer<AgentEvent>(), queuedAt: Date.now(),
    };
    return this.#d.register(state, { startNow, ...(idemKey ? { idemKey } : {}), ...(input.signal ? { signal: input.signal } : {}) });
  }
}
