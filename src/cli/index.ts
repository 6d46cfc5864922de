/**
 * The `openclaw` command: a citty root command whose subcommands are dynamic imports, dispatched
 * by citty's `runCommand` and described by citty's `renderUsage`. Global flags (`--json`,
 * `--log-level`, `--no-color`, `--version`, `--help`) are taken out of argv first, wherever they
 * appear, so `--version` answers before any subcommand module (or zod, or the config loader) loads.
 * Each subcommand module exports `command` (a citty CommandDef).
 *
 * citty's `runMain` is not used: it ends the process itself (exit 1 for every failure, a stack
 * for non-citty errors); `main` returns the exit code of `reportError` instead.
 */
import type { CommandDef } from "citty";
import { EXIT, UsageError, output, reportError, setGlobals, splitGlobals, stripAnsi } from "./output.ts";
import { COMMIT, SIGNING, VERSION } from "./version.ts";

const lazy = (load: () => Promise<{ command: unknown }>) => () => load().then((m) => m.command as CommandDef);

export const root: CommandDef = {
  meta: { name: "openclaw", version: VERSION, description: "an agent runtime in one executable" },
  args: {
    json: { type: "boolean", description: "machine-readable output; failures print {ok:false,error:{type,message}}" },
    "log-level": { type: "string", valueHint: "level", description: "silent | error | warn | info | debug | trace (default: logging.level, else info)" },
    "no-color": { type: "boolean", description: "plain output (also NO_COLOR=1)" },
    version: { type: "boolean", alias: "V", description: "print the version" },
    help: { type: "boolean", alias: "h", description: "show help (also after a command: openclaw config set --help)" },
  },
  subCommands: {
    gateway: lazy(() => import("./gateway.ts")),
    agent: lazy(() => import("./agent.ts")),
    config: lazy(() => import("./config.ts")),
    pairing: lazy(() => import("./pairing.ts")),
    onboard: lazy(() => import("./onboard.ts")),
    doctor: lazy(() => import("./doctor.ts")),
    status: lazy(() => import("./status.ts")),
    daemon: lazy(() => import("./daemon.ts")),
    sessions: lazy(() => import("./sessions.ts")),
    logs: lazy(() => import("./logs.ts")),
    dashboard: lazy(() => import("./dashboard.ts")),
    devices: lazy(() => import("./devices.ts")),
    plugins: lazy(() => import("./plugins.ts")),
    migrate: lazy(() => import("./migrate.ts")),
    storage: lazy(() => import("./storage.ts")),
    update: lazy(() => import("./update.ts")),
  },
};

const EXIT_CODES = "EXIT CODES  0 ok, 1 error, 2 usage, 78 invalid config or unusable state file";

/** Runs the CLI and returns the exit code (never calls process.exit itself). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  try {
    const split = splitGlobals(argv);
    setGlobals(split.globals);
    const named = split.rest.some((a) => !a.startsWith("-"));
    if (split.version && !named) {
      output(`openclaw ${VERSION} (${COMMIT}, ${SIGNING})`, { version: VERSION, commit: COMMIT, signing: SIGNING });
      return EXIT.ok;
    }
    if (split.help) {
      process.stdout.write((await usage(split.rest, split.globals.color)) + "\n");
      return EXIT.ok;
    }
    if (!named && split.rest.length === 0 && (await firstRunOnTerminal())) return await (await import("./onboard.ts")).runOnboard({}, true);
    if (!named) return await noCommand(split.rest);
    const { runCommand } = await import("citty");
    await runCommand(root, { rawArgs: split.rest });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (isNoCommand(err)) return noCommand(splitGlobals(argv).rest); // `openclaw config` without a verb
    return reportError(await withCommandList(err, argv));
  }
}

/** Bare `openclaw` on a terminal with no config file yet starts onboarding (as OpenClaw does); otherwise help. */
async function firstRunOnTerminal(): Promise<boolean> {
  const { globals } = await import("./output.ts");
  if (globals().json || process.stdin.isTTY !== true || process.stdout.isTTY !== true) return false;
  const [{ existsSync }, { configPath }] = await Promise.all([import("node:fs"), import("../config/paths.ts")]);
  return !existsSync(configPath());
}

/** A command group without its verb: the usage of that group for people, a UsageError with --json; exit 2. */
async function noCommand(args: string[]): Promise<number> {
  const { globals } = await import("./output.ts");
  if (!globals().json) {
    process.stderr.write((await usage(args, false)) + "\n");
    return EXIT.usage;
  }
  const { resolveHelpTarget } = await import("./help.ts");
  const t = await resolveHelpTarget(root, args);
  const name = [(t.parent?.meta as { name?: string } | undefined)?.name, (t.command.meta as { name?: string } | undefined)?.name].filter(Boolean).join(" ");
  return reportError(new UsageError(`${name} needs a command: ${t.subCommands.join(", ")}`));
}

/** citty's "Unknown command x" becomes a usage error that lists the commands at that level. */
async function withCommandList(err: unknown, argv: string[]): Promise<unknown> {
  if (!(err instanceof Error && err.name === "CLIError" && (err as { code?: string }).code === "E_UNKNOWN_COMMAND")) return err;
  const { resolveHelpTarget } = await import("./help.ts");
  const t = await resolveHelpTarget(root, splitGlobals(argv).rest);
  if (t.unknown === undefined || t.subCommands.length === 0) return err;
  return new UsageError(`unknown command "${t.unknown}"; commands: ${t.subCommands.join(", ")}`);
}

function isNoCommand(err: unknown): boolean {
  return err instanceof Error && err.name === "CLIError" && (err as { code?: string }).code === "E_NO_COMMAND";
}

/** citty's usage text of the deepest command named in `args` (`openclaw config set`). */
async function usage(args: string[], color: boolean): Promise<string> {
  const { renderUsage } = await import("citty");
  const { resolveHelpTarget } = await import("./help.ts");
  const { command, parent } = await resolveHelpTarget(root, args);
  const text = (await renderUsage(command, parent)) + (command === root ? `\n\n${EXIT_CODES}` : "");
  return color ? text : stripAnsi(text);
}
