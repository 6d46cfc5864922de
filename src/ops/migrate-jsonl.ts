/**
 * OpenClaw's older session store: `agents/<id>/sessions/sessions.json` (session key → entry with
 * `sessionId`, `updatedAt`, optional `sessionFile`, channel fields) plus one append-only JSONL
 * transcript per sessionId (pi SessionManager format: a `{"type":"session"}` header line, then
 * entries with `id`/`parentId`). Read only; a file that cannot be read or parsed is reported.
 */
import { readFileSync } from "node:fs";
import { basename, isAbsolute, join } from "node:path";
import { errorMessage } from "../core/errors.ts";
import type { SourceSession, Problem } from "./migrate-types.ts";
import { activeBranch, type SourceEntry } from "./migrate-transcript.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function parseTime(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v;
  if (typeof v === "string") {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** One JSONL transcript → its entries on the active branch. Malformed lines are counted in `bad`. */
export function readJsonlTranscript(path: string): { entries: SourceEntry[]; bad: number; header: Obj | null } {
  const text = readFileSync(path, "utf8");
  const rows: Obj[] = [];
  let bad = 0;
  let header: Obj | null = null;
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      bad++;
      return;
    }
    if (!isObj(v)) return void bad++;
    if (v.type === "session" && header === null) header = v;
    else rows.push({ ...v, id: typeof v.id === "string" ? v.id : `line${i + 1}` });
  });
  const entries = activeBranch(rows).map((r): SourceEntry => {
    const msg = isObj(r.message) ? r.message : undefined;
    const ts = parseTime(r.timestamp) ?? parseTime(msg?.timestamp);
    return {
      id: String(r.id),
      type: String(r.type),
      ...(ts !== undefined ? { ts } : {}),
      ...(msg ? { message: msg } : {}),
      ...(typeof r.summary === "string" ? { summary: r.summary } : {}),
      ...(typeof r.tokensBefore === "number" ? { tokensBefore: r.tokensBefore } : {}),
      ...(typeof r.firstKeptEntryId === "string" ? { firstKeptEntryId: r.firstKeptEntryId } : {}),
    };
  });
  return { entries, bad, header };
}

/** The channel and peer a sessions.json entry records (best effort; absent fields stay null). */
export function routeOf(entry: Obj): { channel: string | null; peer: string | null; title: string | null } {
  const origin = isObj(entry.origin) ? entry.origin : {};
  const channel = [entry.lastChannel, entry.channel, origin.provider, origin.surface].find((v): v is string => typeof v === "string" && v.length > 0) ?? null;
  const peer = [entry.lastTo, origin.from, origin.to].find((v): v is string => typeof v === "string" && v.length > 0) ?? null;
  const title = [entry.displayName, entry.label, entry.subject].find((v): v is string => typeof v === "string" && v.length > 0) ?? null;
  return { channel: channel === "webchat" ? null : channel, peer, title };
}

/** The sessions of one agent's `sessions/` directory. */
export function readJsonlSessions(agentId: string, sessionsDir: string, problems: Problem[]): SourceSession[] {
  const indexPath = join(sessionsDir, "sessions.json");
  let index: unknown;
  try {
    index = JSON.parse(readFileSync(indexPath, "utf8"));
  } catch (err) {
    problems.push({ path: indexPath, problem: `cannot read the session index: ${errorMessage(err)}; its transcripts were skipped` });
    return [];
  }
  if (!isObj(index)) {
    problems.push({ path: indexPath, problem: "the session index is not a JSON object; its transcripts were skipped" });
    return [];
  }
  const out: SourceSession[] = [];
  for (const [key, entry] of Object.entries(index)) {
    if (!isObj(entry) || typeof entry.sessionId !== "string") continue;
    const file = typeof entry.sessionFile === "string" ? (isAbsolute(entry.sessionFile) ? entry.sessionFile : join(sessionsDir, entry.sessionFile)) : join(sessionsDir, `${basename(entry.sessionId)}.jsonl`);
    const updatedAt = parseTime(entry.updatedAt);
    const sid = entry.sessionId;
    out.push({
      agentId,
      key,
      sessionId: entry.sessionId,
      source: file,
      ...routeOf(entry),
      ...(updatedAt !== undefined ? { updatedAt } : {}),
      load: () => {
        const r = readJsonlTranscript(file);
        // entry ids carry the session id, as the SQLite reader's do, so one session found in both stores imports once
        return { entries: r.entries.map((e) => ({ ...e, id: `${sid}:${e.id}`, ...(e.firstKeptEntryId ? { firstKeptEntryId: `${sid}:${e.firstKeptEntryId}` } : {}) })), bad: r.bad };
      },
    });
  }
  return out;
}
