/** `openclaw <command> [sub…] --help`: find the deepest subcommand named in argv. */
import type { CommandDef } from "citty";

type Resolvable<T> = T | Promise<T> | (() => T) | (() => Promise<T>);
const resolve = async <T>(v: Resolvable<T> | undefined): Promise<T | undefined> =>
  typeof v === "function" ? await (v as () => T | Promise<T>)() : await v;

/** Returns the command to describe and a stand-in parent whose name is the full prefix (`openclaw config`). */
export async function resolveHelpTarget(cmd: CommandDef, argv: string[], rootName: string): Promise<[CommandDef, CommandDef]> {
  let current = cmd;
  const names = [rootName];
  for (const a of argv) {
    if (a.startsWith("-")) continue;
    const subs = await resolve(current.subCommands as Resolvable<Record<string, Resolvable<CommandDef>>> | undefined);
    if (!subs || !Object.hasOwn(subs, a)) break;
    const next = await resolve(subs[a]);
    if (!next) break;
    const meta = await resolve(current.meta);
    names.push(meta?.name ?? "");
    current = next;
  }
  return [current, { meta: { name: names.filter(Boolean).join(" ") } }];
}
