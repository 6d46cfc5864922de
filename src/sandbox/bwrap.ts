/**
 * `BwrapExecutor`: the `standard` and `strict` levels. Every command runs as
 *   /bin/sh wrapper (join the per-exec pids cgroup, set rlimits) → bwrap (namespaces, mounts,
 *   seccomp at strict; see bwrap-args.ts) → /bin/sh -c <command>
 * With networkAccess and `tools.exec.network.allow`, bwrap gets no host network and the egress
 * bridge runs between bwrap and the command (egress.ts).
 * spawned by `runProcess` (process group, wall-clock kill, output cap, clean UTF-8). Killing bwrap
 * kills its PID namespace, so nothing a command starts survives the call.
 *
 * Fail closed: `status()` runs the probe once (probe.ts); while it is not ok, `exec` and every
 * `fs` call reject with `SandboxUnavailableError` carrying the probe's why-and-how-to-fix text.
 *
 * Node-compatible (node:child_process via spawn.ts, node:fs); no Bun APIs.
 */
import { InvalidParamsError, SandboxUnavailableError } from "../core/errors.ts";
import { createLogger, type Logger } from "../core/log.ts";
import type { SandboxLevel } from "../config/schema.ts";
import { bwrapArgs } from "./bwrap-args.ts";
import type { ResolvedSandboxConfig } from "./config.ts";
import { EGRESS_BRIDGE_TASKS, EgressGate, type EgressSetup, type EgressTestHooks } from "./egress.ts";
import type { ExecRequest, ExecResult, Executor, ExecutorStatus, SandboxFs } from "./executor.ts";
import { toolEnv } from "./env.ts";
import { createSandboxFs } from "./fs.ts";
import { guardFs } from "./guarded-fs.ts";
import { quotaFs } from "./quota-fs.ts";
import { checkDiskReserve, limitModes, startGuard } from "./exec-guard.ts";
import { innerNprocArgv, wrapperArgv } from "./limits.ts";
import { workspaceBudget } from "./workspace-usage.ts";
import { execMasks } from "./masks.ts";
import { cachedProbe, explainFailure, findBwrap, PATH_DEFAULT } from "./probe.ts";
import { buildSeccompFilter } from "./seccomp.ts";
import { runProcess } from "./spawn.ts";

export interface BwrapExecutorOptions {
  log?: Logger;
  /** where `envAllow` values and PATH (for finding bwrap) come from; default process.env */
  hostEnv?: Record<string, string | undefined>;
  /** tests only: the egress proxy's resolver and address check */
  egress?: EgressTestHooks;
  /** instance registry folders to read (tests); default instances.ts registryDirs() */
  registryDirs?: string[];
}

interface RunOptions {
  env?: Record<string, string> | undefined;
  stdin?: string | undefined;
  timeoutMs: number;
  outputBytes: number;
  signal?: AbortSignal | undefined;
  /** what the workspace cap leaves this command to write, when less than limits.writeMb */
  writeBudget?: { bytes: number; name: string } | undefined;
}

export class BwrapExecutor implements Executor {
  readonly level: SandboxLevel;
  readonly networkAccess: boolean;
  readonly fs: SandboxFs;
  private readonly log: Logger;
  private readonly hostEnv: Record<string, string | undefined>;
  private readonly registryDirs: string[] | undefined;
  private bwrapPath = "";
  private statusPromise: Promise<ExecutorStatus> | undefined;
  /** set when networkAccess comes with an allowlist: no host network, only the egress proxy */
  private readonly egress: EgressGate | null;

  constructor(
    readonly config: ResolvedSandboxConfig,
    opts: BwrapExecutorOptions = {},
  ) {
    if (config.level === "off") throw new TypeError("BwrapExecutor runs level standard or strict; use HostExecutor for off");
    this.level = config.level;
    this.networkAccess = config.networkAccess;
    this.log = opts.log ?? createLogger("sandbox");
    this.hostEnv = opts.hostEnv ?? process.env;
    this.egress = config.networkAccess && config.networkAllow.length > 0 ? new EgressGate(config.networkAllow, this.log, opts.egress) : null;
    if (!config.networkAccess && config.networkAllow.length > 0) {
      this.log.warn("sandbox: tools.exec.network.allow has no effect while networkAccess is false (commands get no network at all)");
    }
    this.registryDirs = opts.registryDirs;
    const inner = createSandboxFs({ root: config.workspace, allowedPaths: config.allowedPaths.filter((p) => p !== config.workspace) });
    this.fs = guardFs(quotaFs(inner, { workspace: config.workspace, limits: config.limits, maxWorkspaceMb: config.maxWorkspaceMb }), () => this.status());
  }

  status(): Promise<ExecutorStatus> {
    if (!this.statusPromise) {
      const c = this.config;
      const key = JSON.stringify([c.level, c.networkAccess, c.networkAllow, c.bwrapPath, this.hostEnv.PATH, c.allowedPaths, c.home, c.stateDir, c.workspace, c.limits]);
      this.statusPromise = cachedProbe(key, this.level, () => this.probe());
      // A cached result from another executor with the same setup still needs our bwrap path.
      void this.statusPromise.then((s) => {
        if (s.ok && !this.bwrapPath) this.bwrapPath = String(s.details?.bwrap ?? "");
      });
    }
    return this.statusPromise;
  }

  async exec(request: ExecRequest, signal?: AbortSignal): Promise<ExecResult> {
    const s = await this.status();
    if (!s.ok) throw new SandboxUnavailableError(s.reason ?? "the sandbox is unavailable", { details: { level: this.level } });
    if (!this.bwrapPath) this.bwrapPath = String(s.details?.bwrap ?? "");
    const cwdRequested = request.cwd ?? this.config.workspace;
    const cwd = await this.fs.resolve(cwdRequested);
    if ((await this.fs.stat(cwd))?.type !== "dir") {
      throw new InvalidParamsError(`cwd is not an existing directory: ${cwdRequested}; create it first or leave cwd out to use the workspace`);
    }
    const limits = this.config.limits;
    checkDiskReserve(this.config.allowedPaths, limits);
    const cap = this.config.maxWorkspaceMb;
    return this.run(request.command, cwd, {
      writeBudget: cap !== undefined ? workspaceBudget(this.config.workspace, cap) : undefined,
      env: request.env,
      stdin: request.stdin,
      timeoutMs: Math.min(request.timeoutMs ?? limits.timeoutMs, limits.timeoutMs),
      outputBytes: Math.min(request.outputBytes ?? limits.outputBytes, limits.outputBytes),
      signal,
    });
  }

  /** Stops the egress proxy, if one runs; the next exec starts it again. */
  async close(): Promise<void> {
    await this.egress?.close();
  }

  /** The probe: find bwrap, then run `true` through the full sandbox. */
  private async probe(): Promise<ExecutorStatus> {
    const found = findBwrap(this.config.bwrapPath, this.hostEnv.PATH || PATH_DEFAULT);
    if ("error" in found) return this.fail(found.error);
    this.bwrapPath = found.path;
    const modes = limitModes();
    const seccomp = this.level === "strict" ? (buildSeccompFilter() ? "on" : `unsupported on ${process.arch}`) : "off";
    const egressAllow = this.egress ? { egressAllow: this.config.networkAllow } : {};
    const details = { bwrap: found.path, pidsLimit: modes.pids, memoryLimit: modes.memory, seccomp, network: this.networkAccess, ...egressAllow, allowedPaths: this.config.allowedPaths };
    let result: ExecResult;
    try {
      result = await this.run("true", this.config.workspace, { timeoutMs: 15_000, outputBytes: 16_384 });
    } catch (err) {
      return this.fail(`The ${this.level} sandbox cannot start: ${(err as Error).message}`);
    }
    if (result.exitCode !== 0 && /egress bridge:/.test(result.stderr)) return this.fail(`The ${this.level} sandbox cannot start its egress bridge (tools.exec.network.allow): ${result.stderr.trim()}`, details);
    if (result.exitCode !== 0) return this.fail(explainFailure(this.level, result), details);
    if (modes.pids === "none") {
      this.log.warn("sandbox: no process-count limit (running as root without a writable pids cgroup); a fork bomb is stopped only by the wall-clock timeout", details);
    }
    if (modes.memory === "rlimit-per-process") {
      this.log.warn("sandbox: no memory cgroup (needs root or a delegated cgroup); memoryMb binds each process alone, not the command as a whole", details);
    }
    if (seccomp.startsWith("unsupported")) this.log.warn(`sandbox: strict runs without its seccomp layer (${seccomp})`, details);
    this.log.info(`sandbox ready: level ${this.level}`, details);
    return { level: this.level, ok: true, details };
  }

  private fail(reason: string, details?: Record<string, unknown>): ExecutorStatus {
    this.log.error(`sandbox unavailable: tool execution is refused. ${reason}`);
    return { level: this.level, ok: false, reason, ...(details ? { details } : {}) };
  }

  private async run(command: string, cwd: string, o: RunOptions): Promise<ExecResult> {
    for (let attempt = 0; ; attempt++) {
      const masks = execMasks({
        secretPaths: this.config.secretPaths,
        // with an allowlist the command has no host network, so host sockets are masked as with none
        networkAccess: this.networkAccess && !this.egress,
        ...(this.registryDirs ? { registryDirs: this.registryDirs } : {}),
      });
      const result = await this.runOnce(command, cwd, o, masks);
      // A socket or file that vanished between listing and mounting makes bwrap fail before the
      // command starts; list again once.
      const raced = result.exitCode === 1 && result.stderr.startsWith("bwrap: ") && masks.some((m) => result.stderr.includes(m));
      if (!raced || attempt > 0) return result;
    }
  }

  private async runOnce(command: string, cwd: string, o: RunOptions, masks: string[]): Promise<ExecResult> {
    const limits = this.config.limits;
    const egress: EgressSetup | null = this.egress ? await this.egress.setup() : null;
    const processes = limits.processes + (egress ? EGRESS_BRIDGE_TASKS : 0);
    const guard = startGuard({ ...limits, processes }, this.config.allowedPaths, o.writeBudget ? { budget: o.writeBudget } : {});
    try {
      const seccomp = this.level === "strict" ? buildSeccompFilter() : null;
      const inner = limitModes().pids === "rlimit" ? innerNprocArgv(processes, command) : ["/bin/sh", "-c", command];
      const args = bwrapArgs({
        level: this.level,
        networkAccess: this.networkAccess && !egress, // with an allowlist: own network namespace, proxy only
        allowedPaths: this.config.allowedPaths,
        home: this.config.home,
        stateDir: this.config.stateDir,
        cwd,
        tmpfsBytes: limits.fileSizeMb * 1024 * 1024,
        ...(seccomp ? { seccompFd: 3 } : {}),
        ...(egress ? { roBinds: egress.binds } : {}),
        command: egress ? [...egress.prefix, ...inner] : inner,
        masks,
      });
      const result = await runProcess({
        argv: wrapperArgv(limits, guard.procsPaths, [this.bwrapPath, ...args]),
        cwd,
        env: { ...this.buildEnv(o.env), ...egress?.env },
        ...(o.stdin !== undefined ? { stdin: o.stdin } : {}),
        timeoutMs: o.timeoutMs,
        outputBytes: o.outputBytes,
        ...(o.signal ? { signal: o.signal } : {}),
        ...(seccomp ? { extraFds: [seccomp] } : {}),
        onSpawn: guard.onSpawn,
      });
      return guard.finish(result);
    } finally {
      guard.dispose();
    }
  }

  /** PATH, HOME, LANG, TERM, the config's `envAllow` names and the request's own variables; nothing secret. */
  private buildEnv(extra?: Record<string, string>): Record<string, string> {
    const { config, hostEnv, log } = this;
    return toolEnv({ path: PATH_DEFAULT, home: config.home, envAllow: config.envAllow, hostEnv, extra, log });
  }
}
