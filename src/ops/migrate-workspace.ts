/**
 * Workspace bootstrap files: each agent's OpenClaw workspace (`agents.defaults.workspace` or
 * `<home>/workspace` for main, `<home>/workspace-<id>` for the others) → the agent's workspace here.
 * A file is copied only where ours has none (exclusive create, mode 0600): a file already here is
 * never overwritten, so a second run copies nothing. The same directory on both sides is "in place".
 * Only AGENTS.md, SOUL.md, USER.md and IDENTITY.md are read into the system prompt here; the other
 * files OpenClaw keeps (TOOLS.md, HEARTBEAT.md, MEMORY.md, BOOT.md) are copied so nothing is lost.
 */
import { chmodSync, copyFileSync, constants, mkdirSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { errorMessage } from "../core/errors.ts";
import { expandHome } from "../config/paths.ts";
import { BOOTSTRAP_FILES } from "../agent/system-prompt.ts";
import type { MigrateReport, Problem } from "./migrate-types.ts";

export const WORKSPACE_FILES: readonly string[] = [...BOOTSTRAP_FILES, "TOOLS.md", "HEARTBEAT.md", "MEMORY.md", "BOOT.md"];

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};
const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** The OpenClaw workspace of an agent, from the source config document. */
export function sourceWorkspace(home: string, agentId: string, doc: Record<string, unknown>): string {
  const agents = (doc.agents ?? {}) as { defaults?: { workspace?: unknown }; entries?: Record<string, { workspace?: unknown }>; list?: { id?: unknown; workspace?: unknown }[] };
  const own = agents.entries?.[agentId]?.workspace ?? (Array.isArray(agents.list) ? agents.list.find((a) => a?.id === agentId)?.workspace : undefined);
  if (typeof own === "string") return expandHome(own);
  if (agentId === "main") return typeof agents.defaults?.workspace === "string" ? expandHome(agents.defaults.workspace) : join(home, "workspace");
  return join(home, `workspace-${agentId}`);
}

export function migrateWorkspace(
  pairs: readonly { agentId: string; from: string; to: string }[],
  opts: { dryRun: boolean },
  problems: Problem[],
): MigrateReport["workspace"] {
  const out: MigrateReport["workspace"] = { copied: [], kept: [], inPlace: [] };
  for (const { agentId, from, to } of pairs) {
    const label = (f: string) => (agentId === "main" ? f : `${agentId}/${f}`);
    const same = real(from) === real(to);
    for (const f of WORKSPACE_FILES) {
      const src = join(from, f);
      if (!isFile(src)) continue;
      if (same) {
        out.inPlace.push(label(f));
        continue;
      }
      if (isFile(join(to, f))) {
        out.kept.push(label(f));
        continue;
      }
      if (opts.dryRun) {
        out.copied.push(label(f));
        continue;
      }
      try {
        mkdirSync(to, { recursive: true, mode: 0o700 });
        copyFileSync(src, join(to, f), constants.COPYFILE_EXCL);
        chmodSync(join(to, f), 0o600); // USER.md and MEMORY.md are personal
        out.copied.push(label(f));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") out.kept.push(label(f));
        else problems.push({ path: src, problem: `cannot copy it to ${to}: ${errorMessage(err)}; skipped` });
      }
    }
  }
  return out;
}
