/**
 * The `openclaw` command. Global flags are taken out of argv first; each subcommand module is
 * imported only when it runs (a map of dynamic imports), so `--version` and `--help` load no
 * subsystem. Each module exports `command` (a citty CommandDef).
 */
import type { CommandDef } from "citty";
import { EXIT, UsageError, output, reportError, setGlobals, splitGlobals, stripAnsi } from "./context.ts";
import { COMMIT, VERSION } from "./version.ts";

type Loader = () => Promise<CommandDef>;
interface Entry {
  description: string;
  load: Loader;
}

export const COMMANDS: Record<string, Entry> = {
  gateway: { description: "Run and inspect the gateway (HTTP, WebSocket, Telegram)", load: () => import("./gateway.ts").then((m) => m.command as CommandDef) },
  agent: { description: "Talk to an agent from the terminal", load: () => import("./agent.ts").then((m) => m.command as CommandDef) },
  config: { description: "Read and edit openclaw.json (path, get, set, unset, list, validate, schema)", load: () => import("./config.ts").then((m) => m.command as CommandDef) },
  pairing: { description: "List, approve and deny channel pairing requests", load: () => import("./pairing.ts").then((m) => m.command as CommandDef) },
};

export function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = [
    `openclaw ${VERSION} — an agent runtime in one executable`,
    "",
    "USAGE  openclaw [--json] [--log-level <level>] [--no-color] <command> [options]",
    "",
    "COMMANDS",
    ...Object.entries(COMMANDS).map(([name, e]) => `  ${name.padEnd(width)}  ${e.description}`),
    "",
    "GLOBAL OPTIONS",
    "  --json               machine-readable output; failures print {ok:false,error:{type,message}}",
    "  --log-level <level>  silent | error | warn | info | debug | trace (default: logging.level, else info)",
    "  --no-color           plain output (also NO_COLOR=1)",
    "  -V, --version        print the version",
    "  -h, --help           show help (also after a command: openclaw config --help)",
    "",
    "EXIT CODES  0 ok, 1 error, 2 usage, 78 invalid config or unusable state file",
  ];
  return lines.join("\n");
}

/** Runs the CLI and returns the exit code (never calls process.exit itself). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  try {
    const split = splitGlobals(argv);
    setGlobals(split.globals);
    const [name, ...rest] = split.rest;
    if (split.version && !name) {
      output(`openclaw ${VERSION} (${COMMIT})`, { version: VERSION, commit: COMMIT });
      return EXIT.ok;
    }
    if (!name) {
      process.stdout.write(topHelp() + "\n");
      return split.help ? EXIT.ok : EXIT.usage;
    }
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!entry) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(", ")}`);
    const command = await entry.load();
    const { runCommand, renderUsage } = await import("citty");
    if (split.help) {
      const { resolveHelpTarget } = await import("./help.ts");
      const [target, parent] = await resolveHelpTarget(command, rest, "openclaw");
      const text = await renderUsage(target, parent);
      process.stdout.write((split.globals.color ? text : stripAnsi(text)) + "\n");
      return EXIT.ok;
    }
    await runCommand(command, { rawArgs: rest });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    return reportError(err);
  }
}
