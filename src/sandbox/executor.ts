/**
 * How tools reach the OS. Tools never spawn processes or touch the file system themselves; they
 * get an `Executor`. Implementations: `host.ts` (level `off`: direct spawn with an explicit env,
 * process-group kill, rlimits, output cap), `bwrap.ts` (`standard` / `strict`).
 *
 * Contract:
 * - `exec` resolves (never rejects) with exit code, capped UTF-8-safe output and flags; it rejects
 *   only with `SandboxUnavailableError` when the sandbox cannot run at all, or `PathEscapeError`
 *   when `cwd` is outside the allowed paths. On timeout or abort the whole process tree is killed.
 * - `fs` methods take paths relative to the workspace (or absolute inside an allowed path); they
 *   resolve real paths and refuse escapes (`..`, absolute paths elsewhere, symlinks pointing out,
 *   including a symlink swapped in after the check) with `PathEscapeError`.
 * - Tools get an explicit environment built from `env` plus the level's allow-list, never the
 *   gateway's own environment.
 */
import type { SandboxLevel } from "../config/schema.ts";
import { OpenClawError, RpcCode } from "../core/errors.ts";

export class PathEscapeError extends OpenClawError {
  static override readonly type: string = "PathEscapeError";
  override readonly rpcCode = RpcCode.Forbidden;
  override readonly httpStatus = 403;
}

export interface ExecRequest {
  /** run through `/bin/sh -c` */
  command: string;
  /** absolute, or relative to the workspace; must be inside an allowed path */
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** cap on stdout + stderr bytes kept; the rest is dropped with a marker */
  outputBytes?: number;
  stdin?: string;
}

export interface ExecResult {
  exitCode: number | null;
  /** e.g. `SIGKILL` when killed */
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  aborted: boolean;
  /** set when a sandbox limit stopped the command (memory, write cap, disk reserve): the reason, as also appended to stderr */
  killed?: string;
  durationMs: number;
}

export interface FileStat {
  path: string;
  type: "file" | "dir" | "symlink" | "other";
  size: number;
  mtimeMs: number;
}

export interface SandboxFs {
  /** the workspace root (real path) relative paths resolve against */
  readonly root: string;
  /** Resolve and check a path; returns the real absolute path. */
  resolve(path: string, opts?: { forWrite?: boolean }): Promise<string>;
  readFile(path: string, opts?: { maxBytes?: number }): Promise<Uint8Array>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  stat(path: string): Promise<FileStat | null>;
  list(path: string): Promise<FileStat[]>;
  /**
   * Walk entries (files, dirs, symlinks) under `path` (depth-first, symlinks not followed), at most
   * `limit` entries; directories named in `skipDirs` are listed but not entered.
   */
  walk(path: string, opts?: { limit?: number; skipDirs?: string[] }): AsyncIterable<FileStat>;
}

export interface ExecutorStatus {
  level: SandboxLevel;
  ok: boolean;
  /** why it cannot run and how to fix it, when !ok */
  reason?: string;
  details?: Record<string, unknown>;
}

export interface Executor {
  readonly level: SandboxLevel;
  readonly networkAccess: boolean;
  readonly fs: SandboxFs;
  exec(request: ExecRequest, signal?: AbortSignal): Promise<ExecResult>;
  /** The start-up probe result (cached). */
  status(): Promise<ExecutorStatus>;
}
