/**
 * One plugin process and the JSON-RPC client over its stdio: spawn (an explicit argv, environment
 * and cwd; never the gateway's environment), requests with a per-call timeout, the runner's `log`
 * notifications, and kill — all in one place (model: the MCP TypeScript SDK's StdioClientTransport).
 *
 * stdout carries frames (jsonl.ts, bounded: a flood or an over-long line kills the process with
 * the reason); a stdout line that is not a frame, and every stderr line, is plugin output for the
 * log. Every pending request rejects with `PluginCallError` when the process exits or is killed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { OpenClawError } from "../core/errors.ts";
import { frame, LineReader, type LineReaderOptions } from "./jsonl.ts";
import { LogParamsSchema, RunnerFrameSchema, type LogParams, type RequestMethod } from "./protocol.ts";
import { parseJson } from "../core/json.ts";

/** nesting a plugin frame may have (hook payloads and tool results are shallow; the gateway allows 64) */
const MAX_FRAME_DEPTH = 64;

export class PluginCallError extends OpenClawError {
  static override readonly type: string = "PluginCallError";
}

export interface PluginProcessOptions {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  onLog(entry: LogParams & { stream: "protocol" | "stdout" | "stderr" }): void;
  /** once, when the process is gone; `reason` says why when the host killed it */
  onExit(info: { code: number | null; signal: string | null; reason?: string }): void;
  limits?: Pick<LineReaderOptions, "maxLineBytes" | "maxLines" | "windowMs" | "now">;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class PluginProcess {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #exited = false;
  #killReason: string | undefined;

  constructor(private readonly o: PluginProcessOptions) {
    this.#child = spawn(o.argv[0]!, o.argv.slice(1), { cwd: o.cwd, env: o.env, stdio: ["pipe", "pipe", "pipe"] });
    const out = new LineReader({ ...o.limits, onLine: (l) => this.#onStdout(l), onViolation: (r) => this.kill(`it flooded stdout (${r})`) });
    const err = new LineReader({ ...o.limits, onLine: (l) => o.onLog({ level: "warn", message: l.slice(0, 16_384), stream: "stderr" }), onViolation: (r) => this.kill(`it flooded stderr (${r})`) });
    this.#child.stdout!.on("data", (c: Buffer) => out.push(c));
    this.#child.stderr!.on("data", (c: Buffer) => err.push(c));
    this.#child.stdin!.on("error", () => {}); // EPIPE after an exit: the exit handler reports it
    this.#child.on("error", (e) => this.#gone(null, null, `it could not be started (${e.message})`));
    this.#child.on("exit", (code, signal) => this.#gone(code, signal, this.#killReason));
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get alive(): boolean {
    return !this.#exited;
  }

  /**
   * One request; rejects with PluginCallError on an error answer, a timeout, an abort of `signal`,
   * or the process going away. On a timeout or an abort the runner is sent `cancel {id}`, so the
   * plugin's own work is told to stop (its `ToolCallContext.signal` aborts) instead of running on.
   */
  request(method: RequestMethod, params: unknown, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    if (this.#exited) return Promise.reject(new PluginCallError("the plugin process is not running"));
    if (signal?.aborted) return Promise.reject(new PluginCallError(`${method} was not sent: the call was aborted`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => give(new PluginCallError(`${method} was aborted`));
      const give = (err: Error) => {
        if (!this.#pending.delete(id)) return;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (!this.#exited) this.#child.stdin!.write(frame({ jsonrpc: "2.0", method: "cancel", params: { id } }));
        reject(err);
      };
      const timer = setTimeout(() => give(new PluginCallError(`${method} timed out after ${timeoutMs} ms`, { details: { timeout: true } })), timeoutMs);
      const done = (fn: () => void) => () => {
        signal?.removeEventListener("abort", onAbort);
        fn();
      };
      this.#pending.set(id, {
        resolve: (v) => done(() => resolve(v))(),
        reject: (e) => done(() => reject(e))(),
        timer,
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#child.stdin!.write(frame({ jsonrpc: "2.0", id, method, params }));
    });
  }

  /** SIGKILL (bwrap takes the plugin's whole PID namespace with it); `reason` is reported by onExit. */
  kill(reason: string): void {
    if (this.#exited) return;
    this.#killReason ??= reason;
    this.#child.kill("SIGKILL");
  }

  #onStdout(line: string): void {
    // untrusted text: the shared parser bounds nesting and drops __proto__/constructor keys
    const r = parseJson(line, MAX_FRAME_DEPTH);
    const f = RunnerFrameSchema.safeParse(r.ok ? r.value : undefined);
    if (!f.success) return this.o.onLog({ level: "info", message: line.slice(0, 16_384), stream: "stdout" });
    const m = f.data;
    if ("method" in m) {
      const log = LogParamsSchema.safeParse(m.params);
      if (m.method === "log" && log.success) this.o.onLog({ ...log.data, stream: "protocol" });
      return;
    }
    const p = typeof m.id === "number" ? this.#pending.get(m.id) : undefined;
    if (!p) return;
    this.#pending.delete(m.id as number);
    clearTimeout(p.timer);
    if ("error" in m) p.reject(new PluginCallError(m.error.message));
    else p.resolve(m.result);
  }

  #gone(code: number | null, signal: string | null, reason: string | undefined): void {
    if (this.#exited) return;
    this.#exited = true;
    const why = reason ?? `it exited (${signal ?? `code ${code}`})`;
    for (const [, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new PluginCallError(`the plugin process ended: ${why}`));
    }
    this.#pending.clear();
    this.o.onExit({ code, signal, ...(reason ? { reason } : {}) });
  }
}
