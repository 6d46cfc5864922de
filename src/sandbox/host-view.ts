/**
 * How the sandbox looks at the host's file system when it builds a bwrap command line: the one
 * seam that keeps `bwrapArgs` and the mask list pure in tests (a fake view stands in for a host
 * that has, or lacks, a ~/.openclaw, a socket, a token file).
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";

export type HostKind = "dir" | "file" | "symlink" | "socket" | "other";

export interface HostView {
  /** what is at `p` (not following a final symlink), or null when nothing is */
  kind(p: string): HostKind | null;
  /** owner uid of `p` (following symlinks), or null */
  owner(p: string): number | null;
  realpath(p: string): string | null;
  readlink(p: string): string | null;
  readdir(p: string): string[];
  readText(p: string): string | null;
}

export const realHostView: HostView = {
  kind(p) {
    try {
      const st = lstatSync(p);
      if (st.isDirectory()) return "dir";
      if (st.isFile()) return "file";
      if (st.isSymbolicLink()) return "symlink";
      if (st.isSocket()) return "socket";
      return "other";
    } catch {
      return null;
    }
  },
  owner(p) {
    try {
      return lstatSync(realpathSync(p)).uid;
    } catch {
      return null;
    }
  },
  realpath: (p) => attempt(() => realpathSync(p)),
  readlink: (p) => attempt(() => readlinkSync(p)),
  readdir: (p) => attempt(() => readdirSync(p)) ?? [],
  readText: (p) => attempt(() => readFileSync(p, "utf8")),
};

function attempt<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}
