/**
 * The effective sandbox settings for one agent: `agents.defaults.sandbox` overlaid with
 * `agents.entries.<id>.sandbox`, defaults filled in (level `standard`, allowed paths = the agent
 * workspace), every allowed path resolved to its real path once.
 *
 * Refused here, at config load, with a `ConfigError` naming the key and the fix: an allowed path
 * equal to `/`, `$HOME`, the state directory, or a parent of any of them, and anything inside the
 * state directory's `state/` (the database) or `credentials/` (tokens) folders. A missing workspace
 * is created; any other missing allowed path is an error (binding a path that appears later would
 * be a surprise).
 */
import { mkdirSync, realpathSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ConfigError } from "../core/errors.ts";
import { resolveEgressAllow } from "./egress-config.ts";
import { isInside } from "./paths.ts";
import { secretPaths } from "./secret-paths.ts";
import { SandboxConfigSchema, type Config, type SandboxConfig, type SandboxOverride } from "../config/schema.ts";
import { databasePath, defaultWorkspace, expandHome, gatewayTokenPath, homeDir, stateDir } from "../config/paths.ts";

export interface ResolvedSandboxConfig extends SandboxConfig {
  /** real paths, de-duplicated; the first is the workspace when it is allowed */
  allowedPaths: string[];
  /** the agent workspace (real path): the cwd of commands and the root of relative file paths */
  workspace: string;
  /** real paths of the host's `$HOME` and state dir; hidden (tmpfs) inside the sandbox */
  home: string;
  stateDir: string;
  /** `tools.exec.network.allow`, validated and normalised (egress-rules.ts); [] = no filter */
  networkAllow: string[];
  /** host paths holding this gateway's secrets (secret-paths.ts); hidden inside the sandbox */
  secretPaths: string[];
  /** `tools.exec.maxWorkspaceMb` (workspace-usage.ts); unset = no workspace cap */
  maxWorkspaceMb?: number;
}

export interface ResolveOptions {
  /** overrides for tests and embedders; default from config/paths.ts */
  home?: string;
  stateDir?: string;
  workspace?: string;
  /** the egress allowlist (`tools.exec.network.allow`); default none */
  networkAllow?: readonly string[];
}

/** Resolve an agent's sandbox settings from the whole config. */
export function resolveSandboxConfig(config: Config, agentId = "main", opts: ResolveOptions = {}): ResolvedSandboxConfig {
  const defaults = config.agents.defaults;
  const entry = config.agents.entries[agentId];
  const partial: SandboxOverride = { ...defaults.sandbox, ...entry?.sandbox, limits: { ...defaults.sandbox?.limits, ...entry?.sandbox?.limits } };
  const pathsKey =
    entry?.sandbox?.allowedPaths !== undefined ? `agents.entries.${agentId}.sandbox.allowedPaths` : "agents.defaults.sandbox.allowedPaths";
  const workspace = opts.workspace ?? entry?.workspace ?? defaults.workspace ?? defaultWorkspace();
  const workspaceKey = entry?.workspace !== undefined ? `agents.entries.${agentId}.workspace` : "agents.defaults.workspace";
  const resolved = resolveSandbox(partial, { networkAllow: config.tools?.exec?.network?.allow ?? [], ...opts, workspace, pathsKey, workspaceKey, config });
  const cap = config.tools.exec.maxWorkspaceMb;
  return cap !== undefined ? { ...resolved, maxWorkspaceMb: cap } : resolved;
}

/**
 * Resolve a partial `SandboxConfig` (as `AgentRuntime.withSandbox` receives it). `pathsKey` and
 * `workspaceKey` name the config keys in error messages.
 */
export function resolveSandbox(
  partial: SandboxOverride | Partial<SandboxConfig>,
  opts: ResolveOptions & { pathsKey?: string; workspaceKey?: string; config?: Config } = {},
): ResolvedSandboxConfig {
  const parsed = SandboxConfigSchema.safeParse(partial);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`agents.defaults.sandbox${issue?.path.length ? "." + issue.path.join(".") : ""}: ${issue?.message ?? "invalid"}`);
  }
  const cfg = parsed.data;
  const pathsKey = opts.pathsKey ?? "sandbox.allowedPaths";
  const home = realish(opts.home ?? homeDir());
  const state = realish(opts.stateDir ?? stateDir());
  // same layout as config/paths.ts (databasePath, gatewayTokenPath), under the state dir in use
  const protectedDirs = [home, state, join(state, dirname(relative(stateDir(), databasePath()))), join(state, dirname(relative(stateDir(), gatewayTokenPath())))];
  const secretDirs = protectedDirs.slice(2);

  const wsInput = abs(opts.workspace ?? defaultWorkspace());
  const workspace = realOrCreate(wsInput, opts.workspaceKey ?? "workspace");
  checkAllowed(workspace, opts.workspaceKey ?? "workspace", home, state, protectedDirs, secretDirs);

  const inputs = cfg.allowedPaths ?? [workspace];
  const allowed: string[] = [];
  inputs.forEach((p, i) => {
    const key = cfg.allowedPaths ? `${pathsKey}[${i}]` : opts.workspaceKey ?? "workspace";
    const real = abs(p) === wsInput ? workspace : realExisting(abs(p), key);
    checkAllowed(real, key, home, state, protectedDirs, secretDirs);
    if (!allowed.includes(real)) allowed.push(real);
  });
  const networkAllow = resolveEgressAllow(opts.networkAllow ?? [], cfg);
  return { ...cfg, allowedPaths: allowed, workspace, home, stateDir: state, networkAllow, secretPaths: secretPaths(opts.config, state) };
}

function abs(p: string): string {
  return resolve(expandHome(p));
}

function checkAllowed(real: string, key: string, home: string, state: string, protectedDirs: string[], secretDirs: string[]): void {
  const fix = `; list only project folders (for example the agent workspace ${join(state, "workspace")})`;
  if (real === "/") throw new ConfigError(`${key}: "/" may not be an allowed path: it would expose and let tools overwrite the whole system${fix}`);
  for (const dir of protectedDirs) {
    if (isInside(dir, real)) {
      const what = dir === home ? `$HOME (${home})` : dir === state ? `the state directory (${state})` : `the gateway's private folder ${dir}`;
      const how = real === dir ? "is" : "contains";
      throw new ConfigError(`${key}: ${real} ${how} ${what}, which holds keys, tokens and the session database; tools may not see it${fix}`);
    }
  }
  for (const dir of secretDirs) {
    if (isInside(real, dir)) throw new ConfigError(`${key}: ${real} is inside the gateway's private folder ${dir}${fix}`);
  }
}

function realExisting(p: string, key: string): string {
  try {
    return realpathSync(p);
  } catch {
    throw new ConfigError(`${key}: ${p} does not exist; create it first or remove it from the list`);
  }
}

function realOrCreate(p: string, key: string): string {
  try {
    mkdirSync(p, { recursive: true, mode: 0o700 });
    return realpathSync(p);
  } catch (err) {
    throw new ConfigError(`${key}: cannot create the workspace ${p} (${(err as Error).message}); create it or point the key elsewhere`);
  }
}

/** The real path of `p`, or of its longest existing ancestor joined with the rest (for paths not created yet). */
export function realish(p: string): string {
  const full = resolve(p);
  const rest: string[] = [];
  let cur = full;
  for (;;) {
    try {
      const real = realpathSync(cur);
      return rest.length ? join(real, ...rest.reverse()) : real;
    } catch {
      const parent = dirname(cur);
      if (parent === cur) return full;
      rest.push(cur.slice(parent.length).replace(/^\//, ""));
      cur = parent;
    }
  }
}
