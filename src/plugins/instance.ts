/**
 * One plugin's lifecycle: spawn (sandbox.ts) → `init` handshake → register what it declared
 * (hooks on every agent's dispatcher, tools, commands) → start its services → serve. When the
 * process goes away unasked (it exited, a hook or command timed out and it was killed, it flooded
 * stdout, its load threw) that is a crash: it is restarted after a jittered exponential backoff
 * (core/backoff.ts); `maxCrashes` crashes in a row (a run of `stableMs` without a crash resets the
 * count) disable it, with the reason kept for `plugins.list`, `status` and the doctor.
 *
 * While it restarts, its hooks stay registered and fail (so `BeforeToolCall` blocks, the others
 * change nothing); once disabled, its hooks and commands are removed and its tools answer that
 * it is disabled. A failed or timed-out hook call also fires the `Error` hook (phase "hook").
 */
import { backoffDelay, type Sleep } from "../core/backoff.ts";
import { errorMessage } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";
import type { HookName } from "../agent/hooks.ts";
import { PluginCallError, PluginProcess, type PluginProcessOptions } from "./process.ts";
import { DeclarationSchema, PROTOCOL_VERSION, type Declaration } from "./protocol.ts";
import type { PluginCandidate } from "./discover.ts";
import type { SandboxedCommand } from "./sandbox.ts";
import { registerDeclaration, type HostTarget } from "./register.ts";
import { confine, DEFAULT_PLUGIN_RESOURCES, type Confined, type PluginResources } from "./resources.ts";

let warnedUnconfined = false;

export type PluginState = "starting" | "running" | "restarting" | "disabled" | "stopped";

export interface RestartPolicy {
  baseMs: number;
  maxMs: number;
  /** crashes in a row that disable the plugin */
  maxCrashes: number;
  /** a run this long without a crash resets the count */
  stableMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = { baseMs: 1000, maxMs: 60_000, maxCrashes: 5, stableMs: 60_000 };

export interface InstanceOptions {
  candidate: PluginCandidate & { ready: NonNullable<PluginCandidate["ready"]> };
  /** discovery position: breaks priority ties across plugins, whatever order their handshakes finish in */
  order: number;
  dataDir: string;
  command: SandboxedCommand;
  targets: readonly HostTarget[];
  /** hooks and commands */
  timeoutMs: number;
  toolTimeoutMs?: number;
  initTimeoutMs: number;
  /** the gateway's config, secrets masked */
  config: unknown;
  restart: RestartPolicy;
  sleep: Sleep;
  random?: () => number;
  now: () => number;
  log: Logger;
  limits?: PluginProcessOptions["limits"];
  /** memory and process limits of the plugin process (its cgroup) */
  resources?: PluginResources;
}

export class PluginInstance {
  state: PluginState = "starting";
  reason: string | undefined;
  crashes = 0;
  restarts = 0;
  declaration: Declaration | undefined;
  #proc: PluginProcess | undefined;
  #startedAt = 0;
  #unregister: (() => void) | undefined;
  #stop = new AbortController();
  #ready: Promise<void> | undefined;

  constructor(readonly o: InstanceOptions) {}

  get id(): string {
    return this.o.candidate.id;
  }

  get pid(): number | undefined {
    return this.#proc?.alive ? this.#proc.pid : undefined;
  }

  /** Spawn and handshake; resolves when it is running or has failed (never rejects). */
  start(): Promise<void> {
    this.state = this.state === "restarting" ? "restarting" : "starting";
    const resources = this.o.resources ?? DEFAULT_PLUGIN_RESOURCES;
    let confined: Confined | null;
    try {
      confined = confine(this.o.command.argv, resources);
    } catch (err) {
      this.disable(`its cgroup could not be created (${errorMessage(err)}); check that /sys/fs/cgroup is writable and not full, then plugins.restart`);
      return Promise.resolve();
    }
    if (!confined && !warnedUnconfined) {
      warnedUnconfined = true;
      this.o.log.warn("plugins run without a memory or process limit: no usable pids/memory cgroup on this host");
    }
    const proc = new PluginProcess({
      ...this.o.command,
      argv: confined?.argv ?? this.o.command.argv,
      ...(this.o.limits ? { limits: this.o.limits } : {}),
      onLog: (l) => this.o.log[l.stream === "stderr" ? "warn" : l.level](oneLine(l.message), { ...ownFields(l.fields), plugin: this.id, stream: l.stream }),
      onExit: (info) => {
        const oom = confined?.oomKilled() ? `it ran out of memory (the limit is ${Math.round(resources.memoryBytes / (1 << 20))} MiB)` : undefined;
        confined?.dispose();
        void this.#onExit(proc, oom ?? info.reason ?? `it exited (${info.signal ?? `code ${info.code}`})`);
      },
    });
    this.#proc = proc;
    this.#startedAt = this.o.now();
    const c = this.o.candidate;
    const init = { protocol: PROTOCOL_VERSION, id: c.id, dir: c.dir, entry: c.ready.entry, dataDir: this.o.dataDir, pluginConfig: c.ready.config, config: this.o.config };
    this.#ready = proc.request("init", init, this.o.initTimeoutMs).then(
      async (raw) => {
        const d = DeclarationSchema.safeParse(raw);
        if (!d.success) return proc.kill(`its declaration is invalid (${d.error.issues[0]?.message ?? "bad shape"})`);
        if (!proc.alive || this.#stop.signal.aborted || proc !== this.#proc) return; // stopped or replaced meanwhile
        this.declaration = d.data;
        this.#unregister?.();
        this.#unregister = registerDeclaration(this, d.data, this.o.targets);
        for (const svc of d.data.services) {
          await proc.request("service.start", { id: svc }, this.o.timeoutMs).catch((err: unknown) => this.o.log.warn(`plugin ${this.id}: service ${svc} did not start`, { error: errorMessage(err) }));
        }
        if (proc.alive && proc === this.#proc && !this.#stop.signal.aborted) {
          this.state = "running";
          this.reason = undefined;
          this.o.log.info(`plugin ${this.id} running`, { pid: proc.pid, hooks: d.data.hooks.map((h) => h.name), tools: d.data.tools.map((t) => t.name) });
        }
      },
      (err: unknown) => proc.kill(`its load failed: ${errorMessage(err)}`),
    );
    return this.#ready;
  }

  /** One call into the plugin; a timeout kills it (a crash: it is restarted). */
  async call(method: "hook" | "command" | "tool.execute", params: unknown, timeoutMs = this.o.timeoutMs, signal?: AbortSignal): Promise<unknown> {
    const proc = this.#proc;
    if (this.state === "disabled") throw new PluginCallError(`plugin ${this.id} is disabled: ${this.reason}`);
    if (!proc?.alive || this.state !== "running") throw new PluginCallError(`plugin ${this.id} is not running (${this.state})`);
    try {
      return await proc.request(method, params, timeoutMs, signal);
    } catch (err) {
      if (err instanceof PluginCallError && (err.details as { timeout?: boolean } | undefined)?.timeout && method !== "tool.execute") {
        proc.kill(`a ${method} call timed out after ${timeoutMs} ms`);
      }
      throw err;
    }
  }

  /** Fire the Error hook for a failed hook call (never for the Error hook itself). */
  reportHookFailure(name: HookName, payload: { sessionKey?: string; runId?: string }, err: unknown): void {
    if (name === "Error") return;
    const error = { type: "PluginHookError", message: `the ${name} hook of plugin ${this.id} failed: ${errorMessage(err)}` };
    for (const t of this.o.targets) {
      if (t.hooks.has("Error")) t.hooks.observe("Error", { sessionKey: payload.sessionKey ?? "", ...(payload.runId ? { runId: payload.runId } : {}), phase: "hook", error });
    }
  }

  async #onExit(proc: PluginProcess, why: string): Promise<void> {
    if (proc !== this.#proc || this.#stop.signal.aborted || this.state === "disabled") return; // disable() killed it: not a crash
    const ran = this.o.now() - this.#startedAt;
    this.crashes = ran >= this.o.restart.stableMs ? 1 : this.crashes + 1;
    this.reason = why;
    if (this.crashes >= this.o.restart.maxCrashes) return this.disable(`it crashed ${this.crashes} times in a row; last: ${why}`);
    this.state = "restarting";
    const delay = backoffDelay(this.crashes - 1, { baseMs: this.o.restart.baseMs, maxMs: this.o.restart.maxMs, ...(this.o.random ? { random: this.o.random } : {}) });
    this.o.log.warn(`plugin ${this.id} crashed: ${why}; restarting in ${delay} ms`, { plugin: this.id, crashes: this.crashes });
    await this.o.sleep(delay, this.#stop.signal);
    if (this.#stop.signal.aborted || this.state !== "restarting") return;
    this.restarts++;
    await this.start();
  }

  disable(reason: string): void {
    this.state = "disabled";
    this.reason = reason;
    this.#unregister?.();
    this.#unregister = undefined;
    this.#proc?.kill(reason);
    this.o.log.error(`plugin ${this.id} disabled: ${reason}`, { plugin: this.id });
  }

  /** Manual restart (plugins.restart): clears the crash count, re-enables a disabled plugin. */
  async restartNow(): Promise<void> {
    const old = this.#proc;
    this.#proc = undefined; // its exit is not a crash
    old?.kill("restarted on request");
    this.crashes = 0;
    this.state = "starting";
    await this.start();
  }

  /** Services stop, then `shutdown`, then SIGKILL whatever is left. */
  async stop(graceMs = 2000): Promise<void> {
    this.#stop.abort();
    const proc = this.#proc;
    this.state = "stopped";
    this.#unregister?.();
    this.#unregister = undefined;
    if (!proc?.alive) return;
    for (const svc of this.declaration?.services ?? []) await proc.request("service.stop", { id: svc }, graceMs).catch(() => {});
    await proc.request("shutdown", {}, graceMs).catch(() => {});
    proc.kill("the gateway is stopping");
  }
}

/** A plugin's log text on one line (a trailing newline dropped): a newline or `\r` inside could otherwise forge gateway log lines. */
function oneLine(text: string): string {
  return text.replace(/\r?\n$/, "").replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** A plugin's log fields, minus keys that are not plain names; `plugin` and `stream` are set after, by the host. */
function ownFields(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields ?? {})) if (/^[A-Za-z0-9_.-]{1,64}$/.test(k)) out[k] = v;
  return out;
}
