/**
 * The gateway's start-up notice: when the state dir (or ~/.openclaw) holds OpenClaw data — agent
 * transcripts, pairing state — that `openclaw migrate` has not imported, or that OpenClaw changed
 * since the last import, say so once, with the command to run. Costs a few `stat` calls and one kv
 * read; never throws (a notice must not stop a gateway).
 */
import { realpathSync } from "node:fs";
import { errorMessage } from "../core/errors.ts";
import { stateDir } from "../config/paths.ts";
import type { Logger } from "../core/log.ts";
import type { SessionStore } from "../store/types.ts";
import { dataFiles, discoverHome, fingerprint } from "./migrate-home.ts";
import { readLedger } from "./migrate-ledger.ts";
import { defaultSource } from "./migrate.ts";

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

/** The notice text, or null when there is nothing left to import. */
export async function openClawNotice(store: SessionStore, dirs: readonly string[] = [stateDir(), defaultSource()]): Promise<string | null> {
  for (const dir of [...new Set(dirs.map(real))]) {
    let home;
    try {
      home = discoverHome(dir);
    } catch {
      continue; // no such directory
    }
    const files = dataFiles(home);
    if (files.length === 0) continue;
    const ledger = await readLedger(store, dir);
    if (ledger?.fingerprint === fingerprint(home)) continue;
    const what = [home.agents.length ? `sessions of ${home.agents.length} agent(s)` : "", files.some((f) => f === home.stateDb || /telegram-[^/]*\.json$/.test(f)) ? "Telegram pairing state" : ""].filter(Boolean).join(" and ");
    const cmd = dir === real(defaultSource()) ? "openclaw migrate" : `openclaw migrate --from ${dir}`;
    return `${dir} holds OpenClaw data not imported yet (${what || "data files"}): run \`${cmd}\` (add --dry-run to see what it would import)`;
  }
  return null;
}

export async function logOpenClawNotice(store: SessionStore, log: Logger): Promise<void> {
  try {
    const notice = await openClawNotice(store);
    if (notice) log.warn(notice);
  } catch (err) {
    log.debug("OpenClaw data check failed", { error: errorMessage(err) });
  }
}
