/**
 * What the outside (gateway, channels, CLI, library users) sees of the agent runtime. Channels and
 * the gateway depend on these types and on `AgentRuntime`, nothing deeper.
 *
 * Event contract: every run emits `run_started` first and ends with exactly one `final` event
 * (outcome ok | aborted | error | limit) with a typed `cause` (core/events.ts). When the outcome is
 * `error`, an `error` event precedes the `final`. Every message in these events is safe to show a
 * client: internal detail (file paths, SQL, stack traces) goes to the log only, provider errors are
 * redacted. `text_delta` events are streamed only (not stored).
 */
import { z } from "zod";
import type { RunOutcome, StopCause } from "../core/events.ts";
import type { ImageBlock, Usage } from "../core/messages.ts";
import type { SandboxLevel } from "../config/schema.ts";

export type AgentEvent =
  | { type: "run_started"; runId: string; sessionKey: string; ts: number; model: string }
  | { type: "text_delta"; runId: string; sessionKey: string; text: string }
  | { type: "thinking_delta"; runId: string; sessionKey: string; text: string }
  | {
      type: "tool_call";
      runId: string;
      sessionKey: string;
      toolCallId: string;
      name: string;
      input: unknown;
      /** the sandbox level the run's executor enforces */
      sandbox: SandboxLevel;
    }
  | {
      type: "tool_result";
      runId: string;
      sessionKey: string;
      toolCallId: string;
      name: string;
      isError: boolean;
      /** text of the result, capped for display */
      output: string;
      /** from the call's start (hooks included) to its result */
      durationMs: number;
      sandbox: SandboxLevel;
    }
  | { type: "compaction"; runId: string; sessionKey: string; summaryChars: number; tokensBefore: number }
  | { type: "error"; runId: string; sessionKey: string; cause: StopCause; error: RunFailure }
  | {
      type: "final";
      runId: string;
      sessionKey: string;
      text: string;
      outcome: RunOutcome;
      cause: StopCause;
      usage: Usage;
      durationMs: number;
      /** for limit / aborted / error: what stopped the run, readable by a person, safe for a client */
      reason?: string;
    };

/** A failed run's error as clients see it: `type` names the kind (a provider failure kind or an error class), `message` is client-safe. */
export interface RunFailure {
  type: string;
  message: string;
}

export type AgentEventType = AgentEvent["type"];

export const RunInputSchema = z.object({
  /** default: `agent:<agentId>:main` */
  sessionKey: z.string().min(1).max(512).optional(),
  agentId: z.string().min(1).max(64).optional(),
  text: z.string().max(1_000_000),
  /** a retried input with the same key returns the first run instead of starting a second */
  idempotencyKey: z.string().min(1).max(256).optional(),
  /** `provider/model` override for this run */
  model: z.string().optional(),
  channel: z.string().optional(),
  peer: z.string().optional(),
  origin: z.record(z.string(), z.unknown()).optional(),
});
export type RunInput = z.infer<typeof RunInputSchema> & { images?: ImageBlock[]; signal?: AbortSignal };

export interface AgentResponse {
  runId: string;
  sessionKey: string;
  text: string;
  outcome: RunOutcome;
  /** why the run ended, typed: branch on this, never on `reason` */
  cause: StopCause;
  usage: Usage;
  durationMs: number;
  reason?: string;
}

export interface RunHandle {
  runId: string;
  sessionKey: string;
  /** true when `idempotencyKey` matched an earlier run: no new run was started */
  deduplicated: boolean;
  /** this run's events, from `run_started` to `final` (empty for a deduplicated run that already ended) */
  events: AsyncIterable<AgentEvent>;
  /** resolves (never rejects) when the run ends */
  done: Promise<AgentResponse>;
}

export interface RunInfo {
  runId: string;
  sessionKey: string;
  startedAt: number;
  state: "queued" | "running";
}
