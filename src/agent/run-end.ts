/**
 * The end of a run: how it ended (`RunEnd`, with a typed cause), what a client may see of a failure,
 * and `finishRun`, which stores the final assistant message with `run_finished` (one commit), then
 * emits `error` (for outcome error) and `final`, then AfterMessage.
 *
 * Client-safe errors: anything thrown inside a run (a storage failure, a bug) reaches clients as
 * a fixed message naming the kind and the run id; the detail — file paths, SQL, stack — goes to the
 * log only. Provider failures keep their own message (already redacted by the provider).
 */
import { errorMessage, OpenClawError, RpcCode, StorageFullError } from "../core/errors.ts";
import type { RunOutcome, StopCause } from "../core/events.ts";
import type { Usage } from "../core/messages.ts";
import type { LoopDeps, RunState } from "./loop.ts";
import { isUsage, type LogEntry, type RunLog } from "./run-log.ts";
import type { AgentResponse, RunFailure } from "./types.ts";

export type FailurePhase = "provider" | "store" | "internal";

export interface RunEnd {
  outcome: RunOutcome;
  cause: StopCause;
  /** readable by a person, client-safe */
  reason?: string;
  text: string;
  failure?: RunFailure;
  phase?: FailurePhase;
  /** the final assistant message (or the partial one of a failed stream), stored with run_finished */
  tail?: LogEntry;
}

const isStorage = (err: unknown) => err instanceof OpenClawError && err.rpcCode === RpcCode.StorageFailed;

/** What a client sees of an error thrown inside a run: its kind and a fixed message; never its text. */
export function safeFailure(err: unknown, runId: string): { cause: StopCause; phase: FailurePhase; failure: RunFailure } {
  const ref = `see run ${runId} in the gateway log`;
  if (err instanceof StorageFullError) {
    return { cause: "storage_error", phase: "store", failure: { type: StorageFullError.type, message: `the gateway's disk is full and the run could not be stored; free disk space on the gateway host (${ref})` } };
  }
  if (isStorage(err)) {
    return { cause: "storage_error", phase: "store", failure: { type: (err as OpenClawError).name, message: `the session store failed and the run could not be stored (${ref})` } };
  }
  const type = err instanceof OpenClawError ? err.name : "InternalError";
  return { cause: "internal", phase: "internal", failure: { type, message: `internal error: the run failed (${ref})` } };
}

/** A run that threw: logged in full, ended with the safe failure. */
export function thrownEnd(deps: LoopDeps, run: RunState, err: unknown, text: string): RunEnd {
  const { cause, phase, failure } = safeFailure(err, run.runId);
  deps.log.error("run failed", { runId: run.runId, sessionKey: run.sessionKey, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return { outcome: "error", cause, phase, failure, reason: failure.message, text };
}

export async function finishRun(deps: LoopDeps, run: RunState, runLog: RunLog, end: RunEnd, usage: Usage, started: number): Promise<AgentResponse> {
  const base = { runId: run.runId, sessionKey: run.sessionKey };
  const durationMs = Math.max(0, Date.now() - started);
  const finished = (e: RunEnd): LogEntry => ({
    input: { data: { type: "run_finished", runId: run.runId, outcome: e.outcome, cause: e.cause, ...(e.reason ? { reason: e.reason } : {}), usage, durationMs } },
    trusted: isUsage(usage),
  });
  try {
    await runLog.write(...(end.tail ? [end.tail] : []), finished(end));
  } catch (err) {
    deps.log.error(end.tail ? "could not store the reply" : "could not record the end of a run", { runId: run.runId, error: errorMessage(err) });
    const safe = safeFailure(err, run.runId);
    // a run that had already failed keeps its own failure; otherwise the store's becomes it
    end = { ...end, outcome: "error", phase: "store", ...(end.outcome === "error" ? {} : { cause: safe.cause, failure: safe.failure, reason: safe.failure.message }) };
    if (end.tail) {
      // the reply could not be stored: still try to close the run, as an error
      try {
        await runLog.write(finished(end));
      } catch (err2) {
        deps.log.error("could not record the end of a run", { runId: run.runId, error: errorMessage(err2) });
      }
    }
  }
  if (end.failure) {
    deps.emit(run, { type: "error", ...base, cause: end.cause, error: end.failure });
    if (deps.hooks.has("Error")) deps.hooks.observe("Error", { ...base, phase: end.phase ?? "internal", error: end.failure });
  }
  const response: AgentResponse = { ...base, text: end.text, outcome: end.outcome, cause: end.cause, usage, durationMs, ...(end.reason ? { reason: end.reason } : {}) };
  deps.emit(run, { type: "final", ...response });
  if (deps.hooks.has("AfterMessage")) deps.hooks.observe("AfterMessage", { ...response, agentId: run.agentId, userText: run.userText });
  return response;
}
