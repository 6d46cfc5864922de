/**
 * Shared by every command: the global flags (`--json`, `--log-level`, `--no-color`), loading the
 * config (a bad config throws ConfigError, which `main` turns into exit 78), printing results as
 * text or as one JSON document, and the one mapping from an error to an exit code and output.
 *
 * Exit codes: 0 ok, 1 error, 2 usage, 78 invalid config or an unusable state file (a restart cannot
 * fix either, so the systemd unit sets RestartPreventExitStatus=78 and there is no crash loop).
 */
import { ConfigError, InvalidParamsError, OpenClawError, StorageCorruptError, errorMessage } from "../core/errors.ts";
import { LEVELS, configureLogging, createLogger, type LogLevel } from "../core/log.ts";
import { redact } from "../core/secrets.ts";
import type { LoadedConfig } from "../config/load.ts";
import { colorWanted } from "../config/env.ts";

export const EXIT = { ok: 0, error: 1, usage: 2, config: 78 } as const;

/** Wrong use of the command line (unknown command, missing argument, bad flag value): exit 2. */
export class UsageError extends InvalidParamsError {
  static override readonly type: string = "UsageError";
}

export interface Globals {
  json: boolean;
  color: boolean;
  /** set only by --log-level; otherwise the config's logging.level applies */
  logLevel?: LogLevel;
}

const state: { globals: Globals } = { globals: { json: false, color: false } };

export function globals(): Globals {
  return state.globals;
}

export interface SplitArgs {
  globals: Globals;
  rest: string[];
  version: boolean;
  help: boolean;
}

/** Pulls the global flags out of argv wherever they appear (before `--` only). */
export function splitGlobals(argv: string[]): SplitArgs {
  const g: Globals = { json: false, color: colorWanted(process.stdout.isTTY === true) };
  const rest: string[] = [];
  let version = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === "--json") g.json = true;
    else if (a === "--no-color") g.color = false;
    else if (a === "--color") g.color = true;
    else if (a === "--version" || a === "-V" || a === "-v") version = true;
    else if (a === "--help" || a === "-h") help = true;
    else if (a === "--log-level" || a.startsWith("--log-level=")) {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (!v || !(LEVELS as readonly string[]).includes(v)) throw new UsageError(`--log-level needs one of: ${LEVELS.join(", ")}`);
      g.logLevel = v as LogLevel;
    } else rest.push(a);
  }
  return { globals: g, rest, version, help };
}

export function setGlobals(g: Globals): void {
  state.globals = g;
  configureLogging({ json: g.json, color: g.color, ...(g.logLevel ? { level: g.logLevel } : {}) });
}

/** Loads the config (ConfigError propagates → exit 78), applies logging.level unless --log-level was given, logs warnings. */
export async function loadCliConfig(opts: { path?: string } = {}): Promise<LoadedConfig> {
  const { loadConfig } = await import("../config/load.ts"); // lazy: --version must not pay for zod
  const loaded = loadConfig(opts);
  if (!state.globals.logLevel) configureLogging({ level: loaded.config.logging.level });
  const log = createLogger("config");
  for (const w of loaded.warnings) log.warn(w);
  return loaded;
}

/** Prints a command's result: `text` for people, `{ ok: true, ...data }` with --json. */
export function output(text: string | (() => string), data: Record<string, unknown>): void {
  if (state.globals.json) process.stdout.write(JSON.stringify({ ok: true, ...data }) + "\n");
  else {
    const t = typeof text === "function" ? text() : text;
    if (t !== "") process.stdout.write(t.endsWith("\n") ? t : t + "\n");
  }
}

/** Warnings for people (stderr, through the redacting logger). */
export function warn(message: string): void {
  createLogger("cli").warn(message);
}

/** citty's own argument errors (missing positional, unknown subcommand) are usage errors too. */
function isCittyError(err: unknown): err is Error {
  return err instanceof Error && err.name === "CLIError";
}

/** SGR colour codes, as citty and our own help output use them. */
export const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, "");

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || isCittyError(err)) return EXIT.usage;
  if (err instanceof ConfigError || err instanceof StorageCorruptError) return EXIT.config;
  return EXIT.error;
}

/** Prints an error the way the output mode wants it and returns the exit code. Never prints a stack unless --log-level debug. */
export function reportError(err: unknown): number {
  const code = exitCodeOf(err);
  // an OpenClawError's name is its class name (UsageError included)
  const type = isCittyError(err) ? "UsageError" : err instanceof OpenClawError ? err.name : "InternalError";
  // citty colours its messages; strip ANSI so JSON and logs stay clean
  const message = redact(stripAnsi(errorMessage(err)));
  if (state.globals.json) {
    process.stdout.write(JSON.stringify({ ok: false, error: { type, message } }) + "\n");
  } else {
    process.stderr.write(`error: ${message}\n`);
    if (code === EXIT.usage) process.stderr.write("run with --help for usage\n");
  }
  if (type === "InternalError" && err instanceof Error && err.stack) createLogger("cli").debug("stack", { stack: err.stack });
  return code;
}
