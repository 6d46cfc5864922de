/**
 * The eight lifecycle hooks and THE one dispatcher that runs them. `AgentRuntime.withHooks()` and,
 * later, the plugin host register handlers here; nothing else dispatches hooks.
 *
 * Semantics:
 * - Decision hooks: `BeforeMessage`, `BeforeToolCall`, `AgentResponse` may rewrite or block;
 *   `AfterToolCall` may rewrite the result (no block). Their handlers run one after another, highest
 *   `priority` first (ties: registration order); each sees the payload as rewritten by the ones
 *   before it. A block is final: later handlers do not run.
 * - Observer hooks: `SessionStart`, `SessionEnd`, `AfterMessage`, `Error` run all handlers in
 *   parallel, are not awaited by the run, and can never change or fail it.
 * - Every handler has a timeout (default 5 s). A handler that throws or times out is logged and
 *   treated as "no change" (fail-open) — except `BeforeToolCall`, which fails closed: the tool call is
 *   blocked and the model is told why. A registration may override this with `failClosed`.
 * - A hook nobody registered costs one Map lookup: callers check `has()` before building a payload.
 */
import { errorMessage } from "../core/errors.ts";
import { createLogger, type Logger } from "../core/log.ts";
import type { RunOutcome } from "../core/events.ts";
import type { Usage } from "../core/messages.ts";
import type { ToolResult } from "../tools/types.ts";

export interface HookPayloads {
  /** before the first message of a session (new, or after a reset) is stored */
  SessionStart: { sessionKey: string; agentId: string; runId: string };
  SessionEnd: { sessionKey: string; agentId: string; reason: "reset" | "shutdown" };
  /** before the user message is stored; may rewrite its text or block it (nothing stored) */
  BeforeMessage: { sessionKey: string; agentId: string; runId: string; text: string; channel?: string; peer?: string; origin?: Record<string, unknown> };
  AfterMessage: { sessionKey: string; agentId: string; runId: string; userText: string; text: string; outcome: RunOutcome; usage: Usage; durationMs: number; reason?: string };
  /** after validation, before execution; may rewrite the input or block with a reason the model reads */
  BeforeToolCall: { sessionKey: string; runId: string; toolCallId: string; name: string; input: unknown };
  AfterToolCall: { sessionKey: string; runId: string; toolCallId: string; name: string; input: unknown; result: ToolResult; durationMs: number };
  /** the final reply text before it is stored and delivered; may rewrite or block it */
  AgentResponse: { sessionKey: string; runId: string; text: string; outcome: RunOutcome };
  Error: { sessionKey: string; runId?: string; phase: "provider" | "tool" | "store" | "hook" | "internal"; error: { type: string; message: string } };
}

export interface HookResults {
  SessionStart: void;
  SessionEnd: void;
  BeforeMessage: { text?: string; block?: string } | void;
  AfterMessage: void;
  BeforeToolCall: { input?: unknown; block?: string } | void;
  AfterToolCall: { result?: ToolResult } | void;
  AgentResponse: { text?: string; block?: string } | void;
  Error: void;
}

export type HookName = keyof HookPayloads;
export type DecisionHookName = "BeforeMessage" | "BeforeToolCall" | "AfterToolCall" | "AgentResponse";
export type ObserverHookName = Exclude<HookName, DecisionHookName>;
export const HOOK_NAMES: readonly HookName[] = [
  "BeforeMessage", "AfterMessage", "BeforeToolCall", "AfterToolCall", "SessionStart", "SessionEnd", "AgentResponse", "Error",
];

export type HookHandler<N extends HookName> = (payload: HookPayloads[N]) => HookResults[N] | Promise<HookResults[N]>;
export type HookHandlers = { [N in HookName]: HookHandler<N> };

export interface HookOptions {
  /** higher runs first; default 0 */
  priority?: number;
  /** default 5000 */
  timeoutMs?: number;
  /** who registered it (plugin id), for logs and block reasons */
  source?: string;
  /** decision hooks only: a throw/timeout blocks instead of "no change". Default: true for BeforeToolCall. */
  failClosed?: boolean;
}

/** What a decision hook chain decided: the (possibly rewritten) payload, or a block. */
export type Decision<N extends DecisionHookName> = { blocked: false; payload: HookPayloads[N] } | { blocked: true; reason: string; source: string };

interface Entry {
  handler: (p: unknown) => unknown;
  priority: number;
  timeoutMs: number;
  source: string;
  failClosed: boolean;
  order: number;
}

const TIMEOUT = Symbol("timeout");

export class HookDispatcher {
  #entries = new Map<HookName, Entry[]>();
  #pending = new Set<Promise<unknown>>();
  #order = 0;
  readonly #log: Logger;

  constructor(log?: Logger) {
    this.#log = log ?? createLogger("hooks");
  }

  /** Register one handler; returns the unregister function. */
  register<N extends HookName>(name: N, handler: HookHandler<N>, opts: HookOptions = {}): () => void {
    const entry: Entry = {
      handler: handler as (p: unknown) => unknown,
      priority: opts.priority ?? 0,
      timeoutMs: opts.timeoutMs ?? 5000,
      source: opts.source ?? "runtime",
      failClosed: opts.failClosed ?? name === "BeforeToolCall",
      order: this.#order++,
    };
    const list = [...(this.#entries.get(name) ?? []), entry].sort((a, b) => b.priority - a.priority || a.order - b.order);
    this.#entries.set(name, list);
    return () => {
      const rest = (this.#entries.get(name) ?? []).filter((e) => e !== entry);
      if (rest.length) this.#entries.set(name, rest);
      else this.#entries.delete(name);
    };
  }

  registerAll(hooks: Partial<HookHandlers>, opts: HookOptions = {}): () => void {
    const offs = HOOK_NAMES.flatMap((name) => {
      const h = hooks[name];
      return h ? [this.register(name, h as HookHandler<typeof name>, opts)] : [];
    });
    return () => offs.forEach((off) => off());
  }

  has(name: HookName): boolean {
    return this.#entries.has(name);
  }

  /** Run a decision hook chain. Never throws. */
  async decide<N extends DecisionHookName>(name: N, payload: HookPayloads[N]): Promise<Decision<N>> {
    const list = this.#entries.get(name);
    if (!list) return { blocked: false, payload };
    let current = payload;
    for (const entry of list) {
      let result: unknown;
      try {
        result = await this.#call(entry, { ...current });
      } catch (err) {
        const msg = err === TIMEOUT ? `timed out after ${entry.timeoutMs} ms` : errorMessage(err);
        this.#log.warn(`${name} hook failed`, { source: entry.source, error: msg, failClosed: entry.failClosed });
        if (entry.failClosed) return { blocked: true, reason: `the ${name} hook of ${entry.source} failed (${msg})`, source: entry.source };
        continue;
      }
      if (!result || typeof result !== "object") continue;
      const r = result as { block?: unknown; text?: unknown; input?: unknown; result?: unknown };
      if (typeof r.block === "string" && name !== "AfterToolCall") return { blocked: true, reason: r.block || "blocked", source: entry.source };
      if ((name === "BeforeMessage" || name === "AgentResponse") && typeof r.text === "string") current = { ...current, text: r.text };
      if (name === "BeforeToolCall" && "input" in r && r.input !== undefined) current = { ...current, input: r.input };
      if (name === "AfterToolCall" && isToolResult(r.result)) current = { ...current, result: r.result };
    }
    return { blocked: false, payload: current };
  }

  /** Fire an observer hook: handlers run in parallel, not awaited; failures are logged only. */
  observe<N extends ObserverHookName>(name: N, payload: HookPayloads[N]): void {
    const list = this.#entries.get(name);
    if (!list) return;
    for (const entry of list) {
      const p = this.#call(entry, { ...payload }).catch((err: unknown) => {
        const msg = err === TIMEOUT ? `timed out after ${entry.timeoutMs} ms` : errorMessage(err);
        this.#log.warn(`${name} hook failed`, { source: entry.source, error: msg });
      });
      this.#pending.add(p);
      void p.finally(() => this.#pending.delete(p));
    }
  }

  /** Resolves when every observer fired so far has settled (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  #call(entry: Entry, payload: unknown): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(TIMEOUT), entry.timeoutMs);
    });
    return Promise.race([Promise.resolve().then(() => entry.handler(payload)), timeout]).finally(() => clearTimeout(timer));
  }
}

function isToolResult(v: unknown): v is ToolResult {
  return !!v && typeof v === "object" && Array.isArray((v as ToolResult).content) && typeof (v as ToolResult).isError === "boolean";
}
