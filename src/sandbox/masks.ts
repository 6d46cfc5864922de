/**
 * What one exec must not see, gathered fresh at each exec (a token file or a socket created since
 * the last command is caught at the next): real host paths, handed to `bwrapArgs`, which hides
 * those a command could otherwise reach (a folder under an empty tmpfs, anything else under a
 * read-only /dev/null).
 *
 * - this gateway's secret paths (secret-paths.ts: config, database + -wal/-shm, token files, …);
 * - other gateways' state dirs and secret paths (the per-host registry, instances.ts);
 * - with the network off: every filesystem Unix socket bound on the host (from /proc/net/unix), so a
 *   host service cannot be reached through a socket file outside the masked folders. Abstract
 *   sockets need no mask: they belong to the network namespace, which the sandbox does not share.
 *
 * Limit: a socket or secret file created while a command runs is not hidden from that command.
 */
import { otherInstancePaths, registryDirs } from "./instances.ts";
import { realHostView, type HostView } from "./host-view.ts";

export interface MaskOptions {
  secretPaths: readonly string[];
  networkAccess: boolean;
  host?: HostView;
  /** registry folders (tests); default instances.ts registryDirs() */
  registryDirs?: string[];
}

export function execMasks(o: MaskOptions): string[] {
  const host = o.host ?? realHostView;
  const out = new Set<string>();
  const add = (p: string) => {
    const real = host.realpath(p);
    if (real && real !== "/") out.add(real);
  };
  for (const p of o.secretPaths) add(p);
  for (const p of otherInstancePaths(host, o.registryDirs ?? registryDirs(host))) add(p);
  if (!o.networkAccess) for (const p of unixSocketPaths(host)) add(p);
  return [...out];
}

/** Pathname sockets listed in /proc/net/unix (the last column; abstract ones start with "@"). */
export function unixSocketPaths(host: HostView): string[] {
  const text = host.readText("/proc/net/unix") ?? "";
  const out: string[] = [];
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    const path = fields.slice(7).join(" ");
    if (path.startsWith("/")) out.push(path);
  }
  return out;
}
