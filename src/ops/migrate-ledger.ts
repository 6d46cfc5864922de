/**
 * The import ledger: one kv entry per source home (namespace `migrate`, key `openclaw:<dir>`)
 * holding the fingerprint (size and mtime of every data file) of the home as last imported. The
 * events themselves carry idempotency keys (migrate-sessions.ts), which is what makes a second run
 * import nothing; the ledger answers the cheap question the gateway asks at start-up: has OpenClaw
 * written anything since the last import?
 */
import type { SessionStore } from "../store/types.ts";

export const LEDGER_NAMESPACE = "migrate";
export const ledgerKey = (dir: string) => `openclaw:${dir}`;

export interface LedgerEntry {
  fingerprint: string;
  importedAt: number;
}

export async function readLedger(store: SessionStore, dir: string): Promise<LedgerEntry | null> {
  const v = (await store.kvGet(LEDGER_NAMESPACE, ledgerKey(dir))) as Partial<LedgerEntry> | null | undefined;
  return v && typeof v.fingerprint === "string" && typeof v.importedAt === "number" ? { fingerprint: v.fingerprint, importedAt: v.importedAt } : null;
}

export async function writeLedger(store: SessionStore, dir: string, entry: LedgerEntry): Promise<void> {
  await store.kvSet(LEDGER_NAMESPACE, ledgerKey(dir), entry);
}
