// What a home holds, to assert that a command changed nothing: every path under a dir with its
// mode, size, mtime and content hash ("absent" when the dir does not exist).
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export function snapshot(dir: string): Record<string, string> | "absent" {
  if (!existsSync(dir)) return "absent";
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    const st = lstatSync(p);
    const rel = relative(dir, p) || ".";
    if (st.isDirectory()) {
      out[rel] = `dir ${(st.mode & 0o777).toString(8)}`;
      for (const name of readdirSync(p).sort()) walk(join(p, name));
    } else {
      const hash = createHash("sha256").update(readFileSync(p)).digest("hex").slice(0, 16);
      out[rel] = `file ${(st.mode & 0o777).toString(8)} ${st.size} ${st.mtimeMs} ${hash}`;
    }
  };
  walk(dir);
  return out;
}
