/**
 * Telegram DM access state from OpenClaw: the older `credentials/telegram-pairing.json`
 * (`{version, requests: [{id, code, createdAt, lastSeenAt, meta}]}`) and
 * `credentials/telegram-allowFrom.json` (`{version, allowFrom: [ids]}`), and the current tables in
 * `state/openclaw.sqlite` (migrate-sqlite.ts). Approved senders become approved pairing records
 * here (the Telegram gate admits them as it admits `allowFrom`); pending requests keep their code
 * and expire one hour after OpenClaw created them, as there. Only the default account is read:
 * `telegram-<account>-allowFrom.json` files are reported, since one bot is served here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PAIRING_TTL_MS } from "../pairing/requests.ts";
import type { SessionStore } from "../store/types.ts";
import { parseTime } from "./migrate-jsonl.ts";
import type { PairingImport, Problem, SectionCounts } from "./migrate-types.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function readJson(path: string, problems: Problem[]): Obj | null {
  try {
    const v: unknown = JSON.parse(readFileSync(path, "utf8"));
    if (isObj(v)) return v;
    problems.push({ path, problem: "not a JSON object; skipped" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    problems.push({ path, problem: `cannot read it (${(err as Error).message}); skipped` });
  }
  return null;
}

const idOf = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : typeof v === "number" && Number.isInteger(v) ? String(v) : null);

/** The legacy credentials files of `credentials/` (Telegram, default account). */
export function readCredentialFiles(dir: string, problems: Problem[]): PairingImport[] {
  const out: PairingImport[] = [];
  const allow = readJson(join(dir, "telegram-allowFrom.json"), problems);
  for (const v of Array.isArray(allow?.allowFrom) ? allow.allowFrom : []) {
    const id = idOf(v);
    if (id && id !== "*") out.push({ channel: "telegram", peerId: id, status: "approved", code: "", createdAt: 0, meta: { importedFrom: "openclaw" } });
  }
  const pending = readJson(join(dir, "telegram-pairing.json"), problems);
  for (const r of Array.isArray(pending?.requests) ? pending.requests : []) {
    if (!isObj(r)) continue;
    const id = idOf(r.id);
    if (!id || typeof r.code !== "string") continue;
    out.push({ channel: "telegram", peerId: id, status: "pending", code: r.code, createdAt: parseTime(r.createdAt) ?? 0, meta: { ...(isObj(r.meta) ? r.meta : {}), importedFrom: "openclaw" } });
  }
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // no credentials dir
  }
  for (const n of names) {
    if (/^telegram-.+-allowFrom\.json$/.test(n)) problems.push({ path: join(dir, n), problem: "a second Telegram account's allowlist: this version serves one bot (the default account); not imported" });
  }
  return out;
}

/**
 * Writes the records the store does not have yet. An existing record for the same sender wins
 * (a decision made here is newer than OpenClaw's), so a second run changes nothing.
 */
export async function importPairing(store: SessionStore | null, items: readonly PairingImport[], opts: { now: number; dryRun: boolean }): Promise<SectionCounts> {
  const now = opts.now;
  const counts: SectionCounts = { found: 0, imported: 0, already: 0 };
  const seen = new Set<string>();
  // approved first: a sender both approved and pending is approved
  for (const p of [...items].sort((a, b) => (a.status === b.status ? 0 : a.status === "approved" ? -1 : 1))) {
    if (seen.has(p.peerId)) continue;
    seen.add(p.peerId);
    counts.found++;
    const expiresAt = p.status === "pending" ? p.createdAt + PAIRING_TTL_MS : Number.MAX_SAFE_INTEGER;
    if (p.status === "pending" && expiresAt <= now) {
      counts.found--; // an expired request carries nothing to import
      continue;
    }
    if (store && (await store.pairingGet(p.channel, p.peerId))) {
      counts.already++;
      continue;
    }
    counts.imported++;
    if (!store || opts.dryRun) continue;
    const createdAt = p.createdAt || now;
    await store.pairingUpsert({
      channel: p.channel, peerId: p.peerId, status: p.status, code: p.code || "IMPORTED", createdAt, expiresAt,
      meta: p.status === "approved" ? { ...p.meta, decidedAt: createdAt } : p.meta,
    });
  }
  return counts;
}
