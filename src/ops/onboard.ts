/**
 * `openclaw onboard` as a function: answers in, a configured home out. Order matters:
 *   1. a home that already has a config is left alone (unless `reset`), and says so;
 *   2. the key is checked against the provider BEFORE anything is written, so a refused key
 *      leaves the home exactly as it was;
 *   3. the gateway token (32 random bytes, credentials/ 0700, file 0600; an existing one is kept),
 *      the config (validated first, written atomically, 0600 in a 0700 dir; with `reset` the old
 *      one is copied to openclaw.json.bak-<ts> first), the workspace bootstrap files where absent.
 * Throws ConfigError for bad input, KeyRefusedError / ProviderCheckError from the check.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { errorMessage } from "../core/errors.ts";
import { ApiKey } from "../core/secrets.ts";
import { configPath, defaultWorkspace, expandHome, gatewayTokenPath, stateDir } from "../config/paths.ts";
import { substituteEnv } from "../config/env.ts";
import { loadConfig } from "../config/load.ts";
import { validateDocument } from "../config/validate.ts";
import { writeConfigFile } from "../config/write.ts";
import { resolveAuth } from "../gateway/auth.ts";
import { checkProviderKey } from "./provider-check.ts";
import { OnboardInputError, onboardConfigDocument, providerPlan, type OnboardInput } from "./onboard-input.ts";
import { seedWorkspace, type SeedResult } from "./onboard-workspace.ts";
import { installDaemonIfAvailable, type DaemonInstallResult } from "./onboard-daemon.ts";

export interface OnboardDeps {
  env?: Record<string, string | undefined>;
  /** the key check's timeout (default 15 s) */
  checkTimeoutMs?: number;
  now?: () => Date;
  installDaemon?: (opts: { system?: boolean }) => Promise<DaemonInstallResult>;
}

export interface OnboardResult {
  /** false: the home was already configured and nothing was written */
  changed: boolean;
  configPath: string;
  stateDir: string;
  backupPath?: string;
  token?: { path: string; created: boolean };
  workspace?: SeedResult;
  check: { status: "ok" | "skipped" | "not-run"; provider?: string; detail?: string };
  daemon?: DaemonInstallResult;
  dashboardUrl: string;
  next: string;
  /** a loaded existing config's problem, when the home was configured but its config does not load */
  problem?: string;
}

export const NEXT_COMMAND = "openclaw gateway run";

/** Where a browser on this machine finds the dashboard (gateway/server.ts bindHost: loopback, lan, or an address). */
export function dashboardUrl(port: number, bind: string): string {
  const host = bind === "loopback" || bind === "localhost" ? "127.0.0.1" : bind === "lan" ? "0.0.0.0" : bind;
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}/`;
}

/** `openclaw.json.bak-20261203T153803Z` */
export function backupPathFor(path: string, now: Date): string {
  return `${path}.bak-${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;
}

/**
 * Copies the config to `base` (or `base-2`, `-3`… when a reset in the same second made it already),
 * as a fresh 0600 file: an earlier backup is never overwritten, the secrets never sit in a wider file.
 */
function backupConfig(path: string, base: string): string {
  const text = readFileSync(path);
  for (let n = 1; ; n++) {
    const target = n === 1 ? base : `${base}-${n}`;
    try {
      writeFileSync(target, text, { mode: 0o600, flag: "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST" && n < 100) continue;
      throw err;
    }
    chmodSync(target, 0o600);
    return target;
  }
}

function configured(path: string, env: Record<string, string | undefined>): Pick<OnboardResult, "dashboardUrl" | "problem"> {
  try {
    const { config } = loadConfig({ path, env });
    return { dashboardUrl: dashboardUrl(config.gateway.port, config.gateway.bind) };
  } catch (err) {
    return { dashboardUrl: dashboardUrl(18789, "loopback"), problem: errorMessage(err) };
  }
}

async function check(input: OnboardInput, deps: OnboardDeps, env: Record<string, string | undefined>): Promise<OnboardResult["check"]> {
  if (input.skipCheck) return { status: "skipped" };
  const plan = providerPlan(input, env);
  let key = input.apiKey;
  if (input.apiKeyEnv) {
    key = env[input.apiKeyEnv];
    if (!key) throw new OnboardInputError(`${input.apiKeyEnv} is not set, so the key cannot be checked; export it first, or pass --skip-check`);
  }
  const r = await checkProviderKey({
    provider: plan.id, api: plan.api, baseUrl: plan.baseUrl,
    ...(key ? { apiKey: new ApiKey(key) } : {}),
    ...(deps.checkTimeoutMs ? { timeoutMs: deps.checkTimeoutMs } : {}),
  });
  return { status: "ok", provider: r.provider, detail: r.detail };
}

const installer = (wanted: boolean, deps: OnboardDeps) => () =>
  wanted ? (deps.installDaemon ?? installDaemonIfAvailable)({}) : Promise.resolve(undefined);

/**
 * The result for a home that already has a config (nothing written; the daemon is still installed
 * when asked), or undefined when there is none. Called before any question is asked.
 */
export async function alreadyOnboarded(opts: { installDaemon?: boolean }, deps: OnboardDeps = {}): Promise<OnboardResult | undefined> {
  const path = configPath();
  if (!existsSync(path)) return undefined;
  const daemon = await installer(opts.installDaemon === true, deps)();
  const env = deps.env ?? process.env;
  return { changed: false, configPath: path, stateDir: stateDir(), check: { status: "not-run" }, next: NEXT_COMMAND, ...configured(path, env), ...(daemon ? { daemon } : {}) };
}

export async function onboard(input: OnboardInput, deps: OnboardDeps = {}): Promise<OnboardResult> {
  const env = deps.env ?? process.env;
  if (!input.reset) {
    const done = await alreadyOnboarded(input, deps);
    if (done) return done;
  }
  const path = configPath();
  const state = stateDir();
  const install = installer(input.installDaemon, deps);
  const workspace = input.workspace ? resolve(expandHome(input.workspace)) : undefined;
  const doc = onboardConfigDocument(input, env, workspace);
  // judged as `config set` judges an edit: a `${VAR}` may exist only in the service's environment
  validateDocument(substituteEnv(doc, { env, onMissing: "keep" }), { ignoreUnresolvedRefs: true, source: path });
  const checked = await check(input, deps, env);

  // from here on, writes
  mkdirSync(state, { recursive: true, mode: 0o700 });
  chmodSync(state, 0o700);
  let backupPath: string | undefined;
  if (existsSync(path)) backupPath = backupConfig(path, backupPathFor(path, (deps.now ?? (() => new Date()))()));
  const auth = resolveAuth({ mode: "token", tokenPath: gatewayTokenPath() });
  chmodSync(dirname(gatewayTokenPath()), 0o700);
  writeConfigFile(path, doc);
  const seeded = seedWorkspace(workspace ?? defaultWorkspace());
  const daemon = await install();
  return {
    changed: true, configPath: path, stateDir: state,
    ...(backupPath ? { backupPath } : {}),
    token: { path: gatewayTokenPath(), created: auth.source === "generated" },
    workspace: seeded, check: checked,
    ...(daemon ? { daemon } : {}),
    dashboardUrl: dashboardUrl(input.port, input.bind), next: NEXT_COMMAND,
  };
}
