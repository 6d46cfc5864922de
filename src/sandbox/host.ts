/**
 * `HostExecutor`: sandbox level `off`. Commands run directly on the host as the gateway's user,
 * with no namespace, mount or network isolation. What it still does:
 * - an explicit minimal environment (PATH, HOME = the workspace, LANG, TERM, `envAllow` names,
 *   the request's own variables; secret-looking names and values are dropped), never `process.env`;
 * - rlimits (CPU seconds, address space, file size, open files, no core dumps) set by a wrapper
 *   shell that then execs the command;
 * - `cwd` checked against the file policy (inside the workspace or an allowed path);
 * - the disk reserve (`limits.diskReserveMb`): refused when a writable path's disk is nearly full;
 * - its own process group, killed as a whole on timeout or abort (see spawn.ts), output cap.
 * The file tools go through the same `SandboxFs` as at the other levels.
 * Creating one logs a loud warning. Node-compatible.
 */
import { InvalidParamsError } from "../core/errors.ts";
import { createLogger, type Logger } from "../core/log.ts";
import type { ResolvedSandboxConfig } from "./config.ts";
import type { ExecRequest, ExecResult, Executor, ExecutorStatus, SandboxFs } from "./executor.ts";
import { toolEnv } from "./env.ts";
import { createSandboxFs } from "./fs.ts";
import { quotaFs } from "./quota-fs.ts";
import { checkDiskReserve } from "./exec-guard.ts";
import { wrapperArgv } from "./limits.ts";
import { PATH_DEFAULT } from "./probe.ts";
import { runProcess } from "./spawn.ts";

export interface HostExecutorOptions {
  log?: Logger;
  /** where PATH, LANG and `envAllow` values come from; default process.env */
  hostEnv?: Record<string, string | undefined>;
  /** free bytes on a path's file system, for the file tools' disk reserve check (tests) */
  freeBytes?: (path: string) => number | null;
}

export const OFF_WARNING = "sandbox level off: tools run on the host without isolation";

export class HostExecutor implements Executor {
  readonly level = "off" as const;
  readonly networkAccess: boolean;
  readonly fs: SandboxFs;
  private readonly log: Logger;
  private readonly hostEnv: Record<string, string | undefined>;

  constructor(
    readonly config: ResolvedSandboxConfig,
    opts: HostExecutorOptions = {},
  ) {
    this.networkAccess = config.networkAccess;
    this.log = opts.log ?? createLogger("sandbox");
    this.hostEnv = opts.hostEnv ?? process.env;
    const inner = createSandboxFs({ root: config.workspace, allowedPaths: config.allowedPaths.filter((p) => p !== config.workspace) });
    this.fs = quotaFs(inner, { workspace: config.workspace, limits: config.limits, maxWorkspaceMb: config.maxWorkspaceMb, ...(opts.freeBytes ? { free: opts.freeBytes } : {}) });
    this.log.warn(`${OFF_WARNING} (commands can read and change anything the gateway's user can, and reach the network)`, {
      workspace: config.workspace,
    });
  }

  async status(): Promise<ExecutorStatus> {
    return { level: "off", ok: true, details: { isolation: "none", workspace: this.config.workspace, warning: OFF_WARNING } };
  }

  async exec(request: ExecRequest, signal?: AbortSignal): Promise<ExecResult> {
    const cwdRequested = request.cwd ?? this.config.workspace;
    const cwd = await this.fs.resolve(cwdRequested);
    const st = await this.fs.stat(cwd);
    if (!st) throw new InvalidParamsError(`cwd does not exist: ${cwdRequested}; create it first or leave cwd out to use the workspace`);
    if (st.type !== "dir") throw new InvalidParamsError(`cwd is not a directory: ${cwdRequested}`);
    const limits = this.config.limits;
    checkDiskReserve(this.config.allowedPaths, limits);
    return runProcess({
      argv: wrapperArgv(limits, [], ["/bin/sh", "-c", request.command]),
      cwd,
      env: this.buildEnv(request.env),
      ...(request.stdin !== undefined ? { stdin: request.stdin } : {}),
      timeoutMs: Math.min(request.timeoutMs ?? limits.timeoutMs, limits.timeoutMs),
      outputBytes: Math.min(request.outputBytes ?? limits.outputBytes, limits.outputBytes),
      ...(signal ? { signal } : {}),
    });
  }

  /** The child's whole environment. */
  buildEnv(extra?: Record<string, string>): Record<string, string> {
    const { config, hostEnv, log } = this;
    return toolEnv({ path: hostEnv.PATH || PATH_DEFAULT, home: config.workspace, envAllow: config.envAllow, hostEnv, extra, log });
  }
}
