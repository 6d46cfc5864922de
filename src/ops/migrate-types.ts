/**
 * The shapes `openclaw migrate` passes between its parts and returns: what was found in the source
 * home, and the report (counts, what has no effect here, what was skipped and why). The report is
 * plain data: the CLI prints it, `--json` serialises it.
 */
import type { SourceEntry } from "./migrate-transcript.ts";

/** A file or directory that could not be read or used; it was skipped, the rest went on. */
export interface Problem {
  path: string;
  problem: string;
}

/** One OpenClaw session (a session key), from either store. */
export interface SourceSession {
  agentId: string;
  key: string;
  /** OpenClaw's current session id for the key */
  sessionId: string;
  /** the file it is read from (for messages and the ledger) */
  source: string;
  channel: string | null;
  peer: string | null;
  title: string | null;
  updatedAt?: number;
  /** the transcript, oldest first (may throw: the caller reports it and skips the session) */
  load(): { entries: SourceEntry[]; bad: number };
}

export interface PairingImport {
  channel: string;
  peerId: string;
  status: "pending" | "approved";
  code: string;
  createdAt: number;
  meta: Record<string, unknown>;
}

export interface SectionCounts {
  /** items found in the source */
  found: number;
  /** imported now (with --dry-run: would be imported) */
  imported: number;
  /** already imported by an earlier run */
  already: number;
}

export interface MigrateReport {
  from: string;
  stateDir: string;
  dryRun: boolean;
  config: {
    source: string | null;
    /** "in-place": the source config is the one we load; "written"/"merged": copied into ours */
    action: "none" | "in-place" | "written" | "merged" | "kept";
    target: string;
    /** keys of the source config this version does not use (kept in the file) */
    noEffect: string[];
  };
  workspace: { copied: string[]; kept: string[]; inPlace: string[] };
  sessions: SectionCounts & { messages: number; events: number; skippedEntries: number };
  pairing: SectionCounts;
  plugins: { entries: string[]; extensions: string[]; note?: string };
  problems: Problem[];
}

export const emptyCounts = (): SectionCounts => ({ found: 0, imported: 0, already: 0 });
