/**
 * What a service unit runs, independent of the service manager: the command (the absolute path
 * of this binary, or bun + src/main.ts when run from source), the environment it needs (state dir
 * and config path, never a secret) and the secrets that must reach it through an owner-only
 * environment file because they came from the environment, not from the config or credentials files.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { configPath, stateDir } from "../config/paths.ts";
import { ENV_OVERRIDES } from "../config/env.ts";
import { DaemonError } from "./errors.ts";

export const SERVICE_NAME = "openclaw-gateway";
export const LAUNCHD_LABEL = "ai.openclaw.gateway";
/** added to gateway.limits.shutdownGraceMs for TimeoutStopSec: channels, connections and the store close after the grace */
export const STOP_MARGIN_SEC = 15;

export interface ServiceSpec {
  /** argv: [absolute program, ...args]; the last two are always "gateway", "run" */
  command: string[];
  /** non-secret environment: OPENCLAW_STATE_DIR, OPENCLAW_CONFIG_PATH */
  env: Record<string, string>;
  /** secret variables (names → values) to write to the 0600 environment file; empty when none */
  secretEnv: Record<string, string>;
  stateDir: string;
  timeoutStopSec: number;
}

/** True when running as a `bun build --compile` binary (its entry lives in Bun's embedded filesystem). */
export function isCompiled(main: string = Bun.main): boolean {
  return main.startsWith("/$bunfs/") || main.includes("~BUN");
}

/** The command that runs `gateway run` with this same program: the binary itself, or `<bun> <abs src/main.ts>`. */
export function gatewayCommand(execPath: string = process.execPath, main: string = Bun.main): string[] {
  const program = resolve(execPath);
  if (isCompiled(main)) return [program, "gateway", "run"];
  const script = resolve(main);
  if (!existsSync(script)) throw new DaemonError(`cannot find the entry script ${script} to put in the unit; run the install from the compiled openclaw binary`);
  return [program, script, "gateway", "run"];
}

const NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Variables named by `${VAR}` in the config file (onboard's --api-key-env writes these). */
export function referencedVariables(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/(\$?)\$\{([A-Z_][A-Z0-9_]*)\}/g)) if (m[1] !== "$") out.add(m[2]!);
  return [...out];
}

/**
 * The secrets the gateway reads from the environment today and would miss under a service
 * manager: the env overrides that carry secrets (OPENCLAW_GATEWAY_TOKEN, ANTHROPIC_API_KEY,
 * TELEGRAM_BOT_TOKEN) and every `${VAR}` the config file references, when set.
 */
export function secretsFromEnv(env: Record<string, string | undefined>, configText: string | null): Record<string, string> {
  const names = new Set(ENV_OVERRIDES.filter((o) => o.kind === "string").map((o) => o.env));
  for (const n of configText ? referencedVariables(configText) : []) names.add(n);
  const out: Record<string, string> = {};
  for (const n of [...names].sort()) {
    const v = env[n];
    if (v !== undefined && v !== "" && NAME.test(n)) out[n] = v;
  }
  return out;
}

export function serviceSpec(opts: { shutdownGraceMs: number; env?: Record<string, string | undefined>; command?: string[] }): ServiceSpec {
  const env = opts.env ?? process.env;
  const cfg = configPath();
  const text = existsSync(cfg) ? readFileSync(cfg, "utf8") : null;
  return {
    command: opts.command ?? gatewayCommand(),
    env: { OPENCLAW_STATE_DIR: stateDir(), OPENCLAW_CONFIG_PATH: cfg },
    secretEnv: secretsFromEnv(env, text),
    stateDir: stateDir(),
    timeoutStopSec: Math.ceil(opts.shutdownGraceMs / 1000) + STOP_MARGIN_SEC,
  };
}

/** The state dir the unit points at (the current one). */
export const stateDirOf = (): string => stateDir();
