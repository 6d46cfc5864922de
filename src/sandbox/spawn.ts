/**
 * The one place a tool's process is spawned (host executor and bubblewrap executor both use it).
 *
 * Contract:
 * - `env` is the child's whole environment; `process.env` is never inherited.
 * - The child runs in its own process group (session). On timeout or abort the whole group gets
 *   SIGTERM, then SIGKILL after `killGraceMs`. When the leader exits on its own, whatever it left
 *   running in its group (background jobs) is killed too, so nothing outlives the call.
 *   A process that calls `setsid` itself leaves the group; only a PID namespace (bwrap) catches it.
 * - stdout + stderr share one `outputBytes` budget; what is over it is read and dropped (memory
 *   stays flat) and, past `drainLimitBytes` dropped, the group is killed. Output is valid UTF-8 with
 *   terminal escapes and control characters removed, and ends with a truncation marker when cut.
 * - Resolves with an `ExecResult` in every case except when the process cannot be started at all
 *   (executable or cwd missing, not executable): then it rejects with `SandboxUnavailableError`.
 *
 * Node-compatible: node:child_process only, no Bun APIs.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { statSync } from "node:fs";
import { SandboxUnavailableError } from "../core/errors.ts";
import type { ExecResult } from "./executor.ts";
import { OutputBudget, StreamSink } from "./output.ts";

export interface RunProcessOptions {
  /** argv[0] is looked up on env.PATH when it has no slash */
  argv: string[];
  cwd: string;
  /** the child's entire environment */
  env: Record<string, string>;
  stdin?: string | Uint8Array;
  timeoutMs: number;
  /** cap on stdout + stderr bytes kept */
  outputBytes: number;
  signal?: AbortSignal;
  /**
   * Extra descriptors for the child, as fd 3, 4, …: a number is an open fd of this process passed
   * through; bytes are written into a fresh pipe the child reads (e.g. a seccomp program for bwrap).
   */
  extraFds?: (number | Uint8Array)[];
  /** called once with the child's pid (also its process group) right after it is spawned */
  onSpawn?: (pid: number) => void;
  /** SIGTERM → SIGKILL grace; default 1000 ms */
  killGraceMs?: number;
  /** bytes read and dropped past the cap before the group is killed; default max(16 × outputBytes, 16 MiB) */
  drainLimitBytes?: number;
}

const CLOSE_WAIT_MS = 2000;

export function runProcess(opts: RunProcessOptions): Promise<ExecResult> {
  const [file, ...args] = opts.argv;
  if (!file) return Promise.reject(new SandboxUnavailableError("runProcess: empty argv"));
  try {
    if (!statSync(opts.cwd).isDirectory()) throw new Error("not a directory");
  } catch {
    return Promise.reject(new SandboxUnavailableError(`cannot run ${file}: working directory ${opts.cwd} does not exist or is not a directory`));
  }
  if (opts.signal?.aborted) return Promise.resolve(emptyResult({ aborted: true }));

  const extra = opts.extraFds ?? [];
  const stdio: StdioOptions = [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe", ...extra.map((f) => (typeof f === "number" ? f : "pipe"))];
  const started = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio, detached: true, windowsHide: true });
  } catch (err) {
    return Promise.reject(spawnError(file, err));
  }

  return new Promise<ExecResult>((resolve, reject) => {
    const budget = new OutputBudget(Math.max(0, opts.outputBytes));
    const out = new StreamSink(budget);
    const err = new StreamSink(budget);
    const drainLimit = opts.drainLimitBytes ?? Math.max(16 * opts.outputBytes, 16 * 1024 * 1024);
    const grace = opts.killGraceMs ?? 1000;
    let timedOut = false;
    let aborted = false;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let exited = false;
    let settled = false;
    let spawned = false;
    const timers: ReturnType<typeof setTimeout>[] = [];

    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // ESRCH: the group is already gone
      }
    };
    const terminate = () => {
      killGroup("SIGTERM");
      timers.push(setTimeout(() => killGroup("SIGKILL"), grace));
    };
    const onAbort = () => {
      if (exited || aborted || timedOut) return;
      aborted = true;
      terminate();
    };

    const finish = () => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener("abort", onAbort);
      for (const s of child.stdio) s?.destroy();
      killGroup("SIGKILL");
      resolve({
        exitCode,
        signal: exitSignal,
        stdout: out.text(),
        stderr: err.text(),
        truncated: budget.truncated,
        timedOut,
        aborted,
        durationMs: Math.round(performance.now() - started),
      });
    };

    child.once("spawn", () => {
      spawned = true;
      if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    });
    child.once("error", (e) => {
      if (!spawned && !exited) {
        settled = true;
        for (const t of timers) clearTimeout(t);
        opts.signal?.removeEventListener("abort", onAbort);
        reject(spawnError(file, e));
      }
    });

    const onData = (sink: StreamSink) => (chunk: Buffer) => {
      sink.push(chunk);
      if (budget.dropped > drainLimit && !exited) killGroup("SIGKILL");
    };
    child.stdout?.on("data", onData(out));
    child.stderr?.on("data", onData(err));
    child.stdout?.on("error", () => {});
    child.stderr?.on("error", () => {});

    if (opts.stdin !== undefined && child.stdin) {
      child.stdin.on("error", () => {}); // EPIPE when the child does not read its input
      child.stdin.end(opts.stdin);
    }
    extra.forEach((f, i) => {
      if (typeof f === "number") return;
      const s = child.stdio[3 + i] as NodeJS.WritableStream | null | undefined;
      if (!s) return;
      (s as unknown as { on(e: string, l: () => void): void }).on("error", () => {});
      s.end(Buffer.from(f));
    });

    child.once("exit", (code, sig) => {
      exited = true;
      exitCode = code;
      exitSignal = sig;
      // Background jobs the command left in its group die with it; their buffered output is still read.
      killGroup("SIGKILL");
      timers.push(setTimeout(finish, CLOSE_WAIT_MS));
    });
    child.once("close", finish);

    timers.push(
      setTimeout(() => {
        if (exited) return;
        timedOut = true;
        terminate();
      }, Math.max(1, opts.timeoutMs)),
    );
    opts.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function spawnError(file: string, err: unknown): SandboxUnavailableError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === "ENOENT" ? "not found (ENOENT); install it or check PATH" : code === "EACCES" ? "permission denied (EACCES); check that it is executable" : `spawn failed (${code ?? String(err)})`;
  return new SandboxUnavailableError(`cannot run ${file}: ${why}`, { cause: err });
}

function emptyResult(flags: Partial<ExecResult>): ExecResult {
  return { exitCode: null, signal: null, stdout: "", stderr: "", truncated: false, timedOut: false, aborted: false, durationMs: 0, ...flags };
}
