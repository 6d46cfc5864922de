/**
 * Finding what an OpenClaw home holds, without reading any of it yet: the config, each agent's
 * SQLite store and/or older `sessions/` directory, the state database (pairing tables), the
 * credentials directory and installed plugins (`extensions/<id>/openclaw.plugin.json`). Only
 * `readdir`/`stat`, so the gateway's start-up check (migrate-notice.ts) can afford it.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { NotFoundError } from "../core/errors.ts";

export interface SourceAgent {
  id: string;
  sqlite: string | null;
  sessionsDir: string | null;
}

export interface SourceHome {
  dir: string;
  config: string | null;
  agents: SourceAgent[];
  stateDb: string | null;
  credentials: string | null;
  extensions: string[];
}

const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};
const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};
const list = (p: string): string[] => {
  try {
    return readdirSync(p).sort();
  } catch {
    return [];
  }
};

export function discoverHome(dir: string): SourceHome {
  if (!isDir(dir)) throw new NotFoundError(`no OpenClaw home at ${dir}; pass --from with the directory OpenClaw used (it holds openclaw.json and agents/)`);
  const agents: SourceAgent[] = [];
  for (const id of list(join(dir, "agents"))) {
    const sqlite = join(dir, "agents", id, "agent", "openclaw-agent.sqlite");
    const sessionsDir = join(dir, "agents", id, "sessions");
    const a = { id, sqlite: existsSync(sqlite) ? sqlite : null, sessionsDir: existsSync(join(sessionsDir, "sessions.json")) ? sessionsDir : null };
    if (a.sqlite || a.sessionsDir) agents.push(a);
  }
  const extensions = list(join(dir, "extensions"))
    .map((n) => join(dir, "extensions", n))
    .filter((p) => isFile(join(p, "openclaw.plugin.json")));
  const stateDb = join(dir, "state", "openclaw.sqlite");
  const credentials = join(dir, "credentials");
  return {
    dir,
    config: existsSync(join(dir, "openclaw.json")) ? join(dir, "openclaw.json") : null,
    agents,
    stateDb: existsSync(stateDb) ? stateDb : null,
    credentials: isDir(credentials) ? credentials : null,
    extensions,
  };
}

/** The files whose content migrate imports (transcripts, pairing), for the ledger's fingerprint. */
export function dataFiles(home: SourceHome): string[] {
  const out: string[] = [];
  for (const a of home.agents) {
    if (a.sqlite) out.push(a.sqlite, a.sqlite + "-wal");
    if (a.sessionsDir) out.push(...list(a.sessionsDir).filter((n) => n === "sessions.json" || n.endsWith(".jsonl")).map((n) => join(a.sessionsDir!, n)));
  }
  if (home.stateDb) out.push(home.stateDb, home.stateDb + "-wal");
  if (home.credentials) out.push(...list(home.credentials).filter((n) => /^telegram-.*(pairing|allowFrom)\.json$/.test(n)).map((n) => join(home.credentials!, n)));
  return out.filter(isFile);
}

/** size and mtime of each data file: changes when OpenClaw wrote anything migrate would import */
export function fingerprint(home: SourceHome): string {
  return dataFiles(home)
    .map((p) => {
      const st = statSync(p);
      return `${p}\t${st.size}\t${Math.floor(st.mtimeMs)}`;
    })
    .join("\n");
}
