/**
 * `openclaw <command> [sub…] --help`: the command to describe, found the way citty's own `runMain`
 * does it for `--help` (its `resolveSubCommand` is not exported): follow the names in argv through
 * `subCommands` as far as they go.
 */
import type { CommandDef } from "citty";

type Resolvable<T> = T | Promise<T> | (() => T) | (() => Promise<T>);
const resolve = async <T>(v: Resolvable<T> | undefined): Promise<T | undefined> =>
  typeof v === "function" ? await (v as () => T | Promise<T>)() : await v;

export interface HelpTarget {
  command: CommandDef;
  /** a stand-in parent whose name is the prefix before the command (`openclaw config`) */
  parent: CommandDef | undefined;
  /** the command's own subcommand names */
  subCommands: string[];
  /** the first word of argv that is not one of them (an unknown command), if any */
  unknown?: string;
}

export async function resolveHelpTarget(root: CommandDef, argv: string[]): Promise<HelpTarget> {
  let current = root;
  let parent: CommandDef | undefined;
  const names: string[] = [];
  const subsOf = (c: CommandDef) => resolve(c.subCommands as Resolvable<Record<string, Resolvable<CommandDef>>> | undefined);
  let subs = await subsOf(current);
  let unknown: string | undefined;
  for (const a of argv) {
    if (a.startsWith("-")) continue;
    const next = subs && Object.hasOwn(subs, a) ? await resolve(subs[a]) : undefined;
    if (!next) {
      unknown = a;
      break;
    }
    names.push((await resolve(current.meta))?.name ?? "");
    current = next;
    parent = { meta: { name: names.filter(Boolean).join(" ") } };
    subs = await subsOf(current);
  }
  return { command: current, parent, subCommands: Object.keys(subs ?? {}), ...(unknown !== undefined ? { unknown } : {}) };
}
