/**
 * Which process listens on a TCP port: the LISTEN rows of /proc/net/tcp and /proc/net/tcp6 give
 * the socket inode, and the `socket:[inode]` link under /proc/<pid>/fd gives the pid; its name is
 * /proc/<pid>/comm. Linux only; elsewhere, or when another user's /proc entries are hidden, the
 * answer is null ("unknown").
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface PortOwner {
  pid: number;
  comm: string;
}

const LISTEN = "0A";

/** Socket inodes listening on `port`, from the text of /proc/net/tcp{,6}. */
export function listeningInodes(table: string, port: number): string[] {
  const out: string[] = [];
  for (const line of table.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = f[1]!;
    const state = f[3]!;
    if (state !== LISTEN || parseInt(local.slice(local.lastIndexOf(":") + 1), 16) !== port) continue;
    out.push(f[9]!);
  }
  return out;
}

function read(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

export function portOwner(port: number, proc = "/proc"): PortOwner | null {
  if (process.platform !== "linux") return null;
  const inodes = new Set([...listeningInodes(read(`${proc}/net/tcp`), port), ...listeningInodes(read(`${proc}/net/tcp6`), port)]);
  if (inodes.size === 0) return null;
  let pids: string[];
  try {
    pids = readdirSync(proc).filter((n) => /^\d+$/.test(n));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`${proc}/${pid}/fd`);
    } catch {
      continue; // gone, or another user's
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`${proc}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1]!)) return { pid: Number(pid), comm: read(`${proc}/${pid}/comm`).trim() || "unknown" };
    }
  }
  return null;
}
