/**
 * Writing OpenClaw sessions into our store, under the same session keys. Every imported event
 * carries an idempotency key derived from the agent, the session key and OpenClaw's entry id (the
 * ledger at event level): a second run finds them and appends nothing, and a session OpenClaw
 * extended since the last run gets only its new entries. Events keep OpenClaw's time (the run's
 * start time for every event of that run). With no store (`--dry-run` on a state dir without a
 * database) everything counts as new.
 */
import { createHash } from "node:crypto";
import { errorMessage } from "../core/errors.ts";
import type { SessionStore } from "../store/types.ts";
import { convertEntries, type ImportRun } from "./migrate-transcript.ts";
import type { MigrateReport, Problem, SourceSession } from "./migrate-types.ts";

export const stemOf = (s: Pick<SourceSession, "agentId" | "key">): string =>
  `oc:${createHash("sha256").update(`${s.agentId}\n${s.key}`).digest("hex").slice(0, 16)}`;

export async function importSessions(
  store: SessionStore | null,
  sessions: readonly SourceSession[],
  opts: { dryRun: boolean },
  problems: Problem[],
): Promise<MigrateReport["sessions"]> {
  const out: MigrateReport["sessions"] = { found: 0, imported: 0, already: 0, messages: 0, events: 0, skippedEntries: 0 };
  for (const s of sessions) {
    let loaded: ReturnType<SourceSession["load"]>;
    try {
      loaded = s.load();
    } catch (err) {
      problems.push({ path: s.source, problem: `cannot read the transcript of ${s.key}: ${errorMessage(err)}; skipped` });
      continue;
    }
    if (loaded.bad > 0) problems.push({ path: s.source, problem: `${loaded.bad} unreadable transcript line(s) in ${s.key} skipped` });
    const converted = convertEntries(stemOf(s), loaded.entries);
    out.skippedEntries += converted.skipped;
    if (converted.runs.length === 0) continue;
    out.found++;
    const key = s.key; // preserved exactly; the session row records the agent (keys like cron:<job> name none)
    // only what the store does not hold yet (a run is all-or-nothing: one appendMany)
    const fresh = [];
    for (const run of converted.runs) {
      const events = [];
      for (const e of run.events) if (!store || !(await store.findByIdempotencyKey(e.key))) events.push(e);
      if (events.length) fresh.push({ ...run, events });
    }
    if (fresh.length === 0) {
      out.already++;
      continue;
    }
    out.imported++;
    for (const run of fresh) {
      out.events += run.events.length;
      out.messages += run.events.filter((e) => e.data.type === "user_message" || e.data.type === "assistant_message").length;
    }
    await setThroughSeqs(store, key, fresh);
    if (opts.dryRun || !store) continue;
    const session = { agentId: s.agentId, channel: s.channel, peer: s.peer, title: s.title };
    // queued together so the store group-commits them; the write queue keeps their order
    await Promise.all(fresh.map((run) => store.appendMany(key, run.events.map((e) => ({ data: e.data, idempotencyKey: e.key })), { session, ts: run.ts })));
  }
  return out;
}

/**
 * A compaction's `throughSeq` from OpenClaw's `firstKeptEntryId`: the runs before the one holding
 * the first kept entry are the ones its summary replaces. Seqs are known ahead because nothing else
 * writes the store during an import (migrate refuses while a gateway runs) and the appends are
 * gap-free. An unknown first kept entry: the summary stands for everything before it.
 */
async function setThroughSeqs(store: SessionStore | null, key: string, runs: ImportRun[]): Promise<void> {
  let seq = (store ? (await store.getSession(key))?.lastSeq : 0) ?? 0;
  const runStart = new Map<string, number>();
  for (const run of runs) {
    const start = seq + 1;
    for (const e of run.events) {
      seq++;
      runStart.set(e.key, start);
    }
    const c = run.events[0]?.data;
    if (c?.type !== "compaction") continue;
    const kept = run.firstKept === undefined ? undefined : (runStart.get(run.firstKept) ?? (await store?.findByIdempotencyKey(run.firstKept))?.seq);
    c.throughSeq = Math.max(0, (kept ?? start) - 1);
  }
}
