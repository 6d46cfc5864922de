// The event log read straight from PostgreSQL (not through any node), and the checks the cluster
// tests make on it:
//   - acknowledged events: every `chat.send` a client got a `{runId}` answer for has its user message
//     in the log (acknowledged means committed, whichever node died afterwards);
//   - seqs gap-free per session (1..n, and `sessions.last_seq` = n);
//   - at most one run_started and one run_finished per run, and (once the cluster has settled) every
//     run finished exactly once and no unfinished run left in `runs`;
//   - one run at a time per session: the assistant messages, tool results and run_finished of two runs
//     never interleave (user messages queue in between), and no run_started is logged while another
//     run of the session has started and not finished (`lenientRunStarted` skips that one rule);
//   - order kept: runs execute in the order of their user messages' seqs.
import type { SQL } from "bun";

export interface LogRow {
  sessionKey: string;
  seq: number;
  type: string;
  // biome-ignore lint: the stored JSON of an event
  data: any;
}

/** A `chat.send` the client got a `{runId}` answer for. */
export interface Ack {
  sessionKey: string;
  runId: string;
  text: string;
  /** the node that answered */
  node: string;
}

export async function readLog(sql: SQL, schema: string, sessionKey?: string): Promise<LogRow[]> {
  const t = `"${schema}"`;
  const rows = sessionKey
    ? await sql.unsafe(`SELECT session_key, seq::int AS seq, type, data FROM ${t}.events WHERE session_key = $1 ORDER BY seq`, [sessionKey])
    : await sql.unsafe(`SELECT session_key, seq::int AS seq, type, data FROM ${t}.events ORDER BY session_key, seq`);
  return (rows as Array<{ session_key: string; seq: number; type: string; data: string }>).map((r) => ({ sessionKey: r.session_key, seq: r.seq, type: r.type, data: JSON.parse(r.data) }));
}

export interface LogFacts {
  /** per session: the rows in seq order */
  sessions: Map<string, LogRow[]>;
  /** runId → its user message text */
  userText: Map<string, string>;
  /** runId → outcomes of its run_finished rows (more than one is a bug) */
  finished: Map<string, string[]>;
  /** runs unfinished in the `runs` table */
  unfinished: Array<{ sessionKey: string; runId: string }>;
}

const textOf = (content: unknown): string =>
  typeof content === "string" ? content : Array.isArray(content) ? content.map((b: { type: string; text?: string }) => (b.type === "text" ? (b.text ?? "") : "")).join("") : "";

/** The facts of the whole log, or of the sessions named. */
export async function logFacts(sql: SQL, schema: string, only?: string[]): Promise<LogFacts> {
  const keep = only ? new Set(only) : null;
  const rows = (await readLog(sql, schema)).filter((r) => !keep || keep.has(r.sessionKey));
  const sessions = new Map<string, LogRow[]>();
  const userText = new Map<string, string>();
  const finished = new Map<string, string[]>();
  for (const r of rows) {
    if (!sessions.has(r.sessionKey)) sessions.set(r.sessionKey, []);
    sessions.get(r.sessionKey)!.push(r);
    if (r.type === "user_message") userText.set(r.data.runId, textOf(r.data.message?.content));
    if (r.type === "run_finished") finished.set(r.data.runId, [...(finished.get(r.data.runId) ?? []), r.data.outcome]);
  }
  const runs = (await sql.unsafe(`SELECT session_key, run_id FROM "${schema}".runs ORDER BY session_key, run_id`)) as Array<{ session_key: string; run_id: string }>;
  return { sessions, userText, finished, unfinished: runs.filter((r) => !keep || keep.has(r.session_key)).map((r) => ({ sessionKey: r.session_key, runId: r.run_id })) };
}

/**
 * Every violation of the rules above, as sentences (empty: the log is sound). `settled`: the cluster
 * is idle and every lease has expired or been released, so every run must have finished by now.
 */
export async function checkLog(sql: SQL, schema: string, acks: Ack[], o: { settled: boolean; sessions?: string[]; lenientRunStarted?: boolean }): Promise<string[]> {
  const f = await logFacts(sql, schema, o.sessions);
  const bad: string[] = [];
  const lastSeq = new Map(
    ((await sql.unsafe(`SELECT key, last_seq::int AS last_seq FROM "${schema}".sessions`)) as Array<{ key: string; last_seq: number }>).map((r) => [r.key, r.last_seq]),
  );
  for (const [key, rows] of f.sessions) {
    if (o.sessions && !o.sessions.includes(key)) continue;
    rows.forEach((r, i) => {
      if (r.seq !== i + 1) bad.push(`${key}: seq ${r.seq} at position ${i + 1} (a gap or a duplicate)`);
    });
    if (lastSeq.get(key) !== rows.length) bad.push(`${key}: sessions.last_seq is ${lastSeq.get(key)} but the log holds ${rows.length} events`);
    bad.push(...oneAtATime(key, rows));
    if (!o.lenientRunStarted) bad.push(...startedWhileAnotherRuns(key, rows));
  }
  for (const a of acks) {
    const text = f.userText.get(a.runId);
    if (text === undefined) bad.push(`acknowledged run ${a.runId} (${a.sessionKey} via ${a.node}) has no user message in the log`);
    else if (text !== a.text) bad.push(`acknowledged run ${a.runId}: the log's user text ${JSON.stringify(text)} is not the sent ${JSON.stringify(a.text)}`);
  }
  for (const [runId, outcomes] of f.finished) {
    if (outcomes.length > 1) bad.push(`run ${runId} finished ${outcomes.length} times (${outcomes.join(", ")})`);
    if (!f.userText.has(runId)) bad.push(`run ${runId} finished but has no user message`);
  }
  if (o.settled) {
    for (const runId of f.userText.keys()) if (!f.finished.has(runId)) bad.push(`run ${runId} never finished (no run_finished after the cluster settled)`);
    for (const u of f.unfinished) bad.push(`run ${u.runId} of ${u.sessionKey} is still in the runs table after the cluster settled`);
  }
  return bad;
}

/**
 * One run at a time, and runs in user-message order, in one session's log. A run executes from its
 * first assistant message or tool result to its run_finished: the events of two executions must never
 * interleave, and a run may execute only once every run with an earlier user message has finished
 * (executed, or been marked interrupted / aborted without executing: a lone run_finished).
 */
export function oneAtATime(key: string, rows: LogRow[]): string[] {
  const bad: string[] = [];
  const userSeq = new Map<string, number>();
  const finishedAt = new Map<string, number>();
  for (const r of rows) if (r.type === "run_finished" && !finishedAt.has(r.data.runId)) finishedAt.set(r.data.runId, r.seq);
  const finished = new Set<string>();
  let current: string | null = null;
  for (const r of rows) {
    const runId: string | undefined = r.data?.runId;
    if (runId === undefined) continue;
    if (r.type === "user_message") userSeq.set(runId, r.seq);
    const exec = r.type === "assistant_message" || r.type === "tool_result";
    if (!exec && r.type !== "run_finished") continue;
    if (finished.has(runId)) {
      bad.push(`${key}: ${r.type} of run ${runId} at seq ${r.seq} after that run finished`);
      continue;
    }
    if (exec && runId !== current) {
      if (current !== null) bad.push(`${key}: ${r.type} of run ${runId} at seq ${r.seq} while run ${current} was executing (it has not finished)`);
      const mine = userSeq.get(runId) ?? 0;
      for (const [other, seq] of userSeq) {
        if (seq < mine && !finished.has(other)) {
          const at = finishedAt.get(other);
          bad.push(`${key}: run ${runId} (user message seq ${mine}) executed from seq ${r.seq} while run ${other} (earlier user message, seq ${seq}) had not finished (${at === undefined ? "it never did" : `it finished at seq ${at}`})`);
        }
      }
      current = runId;
    }
    if (r.type === "run_finished") {
      finished.add(runId);
      if (current === runId) current = null; // (a queued run may be marked finished while another executes)
    }
  }
  return bad;
}

/**
 * `run_started` of a run while another run of the session has started and not finished: the log then
 * says two runs were running at once (what `chat.history` shows and what other nodes are told), even
 * when the second one was in fact queued behind the first one's lease.
 */
export function startedWhileAnotherRuns(key: string, rows: LogRow[]): string[] {
  const bad: string[] = [];
  const open = new Set<string>();
  for (const r of rows) {
    const runId: string | undefined = r.data?.runId;
    if (runId === undefined) continue;
    if (r.type === "run_started") {
      if (open.size > 0) bad.push(`${key}: run_started of run ${runId} at seq ${r.seq} while run ${[...open].join(", ")} had started and not finished`);
      open.add(runId);
    } else if (r.type === "run_finished") open.delete(runId);
  }
  return bad;
}
