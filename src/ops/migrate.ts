/**
 * `openclaw migrate`: imports an OpenClaw home into this state dir — the config, the workspace
 * bootstrap files, every session transcript (per-agent SQLite and the older sessions.json + JSONL)
 * under its own session key, Telegram pairing and allowlist state, and plugin entries. Returns the
 * report (migrate-types.ts); never modifies the source home (SQLite sources are read from a private
 * copy); a file it cannot read is a `problems` item, never a crash; a second run imports nothing new.
 * `dryRun` reports the same counts and writes nothing (no database is created).
 *
 * Throws only when there is nothing to work on: NotFoundError (no such home) or ConflictError (a
 * gateway runs on this state dir: it owns the store, so it must be stopped first).
 */
import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { ConflictError, errorMessage } from "../core/errors.ts";
import { agentWorkspace } from "../config/agents.ts";
import { readConfigDocument } from "../config/load.ts";
import { configPath, databasePath, expandHome, homeDir, stateDir } from "../config/paths.ts";
import { ConfigSchema, type Config } from "../config/schema.ts";
import { validateDocument } from "../config/validate.ts";
import { substituteEnv } from "../config/env.ts";
import { clone, isPlainObject, type JsonObject } from "../config/keypath.ts";
import type { SessionStore } from "../store/types.ts";
import { findGateway } from "./gateway-client.ts";
import { migrateConfig } from "./migrate-config.ts";
import { discoverHome, fingerprint, type SourceHome } from "./migrate-home.ts";
import { readJsonlSessions } from "./migrate-jsonl.ts";
import { writeLedger } from "./migrate-ledger.ts";
import { importPairing, readCredentialFiles } from "./migrate-pairing.ts";
import { importSessions } from "./migrate-sessions.ts";
import { readSqlitePairing, readSqliteSessions } from "./migrate-sqlite.ts";
import { emptyCounts, type MigrateReport, type PairingImport, type Problem, type SourceSession } from "./migrate-types.ts";
import { migrateWorkspace, sourceWorkspace } from "./migrate-workspace.ts";

export interface MigrateOptions {
  /** the OpenClaw home; default ~/.openclaw */
  from?: string;
  dryRun?: boolean;
  /** epoch ms (pending pairing requests expire an hour after OpenClaw made them); default Date.now() */
  now?: number;
}

export const defaultSource = (): string => join(homeDir(), ".openclaw");

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

function readDoc(path: string | null): JsonObject {
  if (!path) return {};
  try {
    return readConfigDocument(path).raw;
  } catch {
    return {}; // reported by the config step
  }
}

/** Our effective config after the config step (for workspace paths); defaults when it does not load. */
function targetConfig(dryRun: boolean, source: JsonObject, action: MigrateReport["config"]["action"]): Config {
  try {
    const ours = readConfigDocument(configPath()).raw;
    const doc = dryRun && action === "written" ? source : ours;
    return validateDocument(substituteEnv(clone(doc), { env: process.env, onMissing: "keep" }), { ignoreUnresolvedRefs: true });
  } catch {
    return ConfigSchema.parse({});
  }
}

function sourceSessions(home: SourceHome, problems: Problem[]): SourceSession[] {
  const out: SourceSession[] = [];
  for (const a of home.agents) {
    if (a.sqlite) {
      try {
        out.push(...readSqliteSessions(a.id, a.sqlite));
      } catch (err) {
        problems.push({ path: a.sqlite, problem: `cannot read it as an OpenClaw agent database (${errorMessage(err)}); its sessions were skipped` });
      }
    }
    if (a.sessionsDir) out.push(...readJsonlSessions(a.id, a.sessionsDir, problems));
  }
  return out;
}

function sourcePairing(home: SourceHome, problems: Problem[]): PairingImport[] {
  const out: PairingImport[] = [];
  if (home.stateDb) {
    try {
      out.push(...readSqlitePairing(home.stateDb));
    } catch (err) {
      problems.push({ path: home.stateDb, problem: `cannot read OpenClaw's state database (${errorMessage(err)}); its pairing records were skipped` });
    }
  }
  if (home.credentials) out.push(...readCredentialFiles(home.credentials, problems));
  return out;
}

export async function runMigrate(opts: MigrateOptions = {}): Promise<MigrateReport> {
  const from = real(expandHome(opts.from ?? defaultSource()));
  const dryRun = opts.dryRun === true;
  const home = discoverHome(from);
  if (!dryRun) {
    const gw = await findGateway().catch(() => null);
    if (gw && (gw.found || gw.running)) {
      throw new ConflictError(`a gateway is running on ${stateDir()}${gw.found ? ` (pid ${gw.target.pid})` : ""}; stop it (openclaw daemon stop, or Ctrl-C), run openclaw migrate, then start it again`);
    }
  }
  const problems: Problem[] = [];
  const doc = readDoc(home.config);
  const config = migrateConfig(home.config, configPath(), home.extensions, { dryRun }, problems);
  const target = targetConfig(dryRun, doc, config.action);
  const agentIds = [...new Set(["main", ...home.agents.map((a) => a.id)])];
  const workspace = migrateWorkspace(
    agentIds.map((id) => ({ agentId: id, from: sourceWorkspace(from, id, doc), to: agentWorkspace(target, id) })),
    { dryRun },
    problems,
  );
  const sessions = sourceSessions(home, problems);
  const pairing = sourcePairing(home, problems);
  const plugins: MigrateReport["plugins"] = {
    entries: Object.keys(isPlainObject(doc.plugins) && isPlainObject(doc.plugins.entries) ? doc.plugins.entries : {}),
    extensions: home.extensions,
    ...(home.extensions.length && config.action === "in-place" ? { note: "plugins in extensions/ load here only when listed in plugins.load.paths" } : {}),
  };

  // with --dry-run and no database yet, nothing is opened (or created): everything counts as new
  const haveDb = existsSync(databasePath());
  let store: SessionStore | null = null;
  if (!dryRun || haveDb) {
    const { openStore } = await import("../store/sqlite.ts");
    store = await openStore(databasePath(), dryRun ? { reserveBytes: 0 } : {});
  }
  try {
    const now = opts.now ?? Date.now();
    const sessionCounts = await importSessions(store, sessions, { dryRun }, problems);
    const pairingCounts = await importPairing(store, pairing, { now, dryRun });
    if (!dryRun && store) await writeLedger(store, from, { fingerprint: fingerprint(home), importedAt: now });
    return { from, stateDir: stateDir(), dryRun, config, workspace, sessions: sessionCounts, pairing: { ...emptyCounts(), ...pairingCounts }, plugins, problems };
  } finally {
    await store?.close();
  }
}
