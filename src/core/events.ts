/**
 * Stored session events: the append-only log. Only final messages and lifecycle events are stored;
 * token deltas are streamed, never stored. Every payload is validated by `StoredEventDataSchema`
 * on append. History is rebuilt by grouping events by `runId` in the order each run's
 * `user_message` was appended, so a message queued behind a running turn never interleaves with it.
 */
import { z } from "zod";
import { MessageSchema, UsageSchema } from "./messages.ts";

export const RunOutcomeSchema = z.enum(["ok", "aborted", "error", "limit", "interrupted"]);
export type RunOutcome = z.infer<typeof RunOutcomeSchema>;

/**
 * Why a run ended, typed (clients branch on this, never on the reason text): `completed` (the
 * model ended its turn), `aborted` (a user or client stopped it), `shutdown` (this process is
 * stopping), `timeout` (wall-time limit), `limit` (steps or tokens), `blocked` (a hook withheld the
 * message or the reply), `provider_error`, `storage_error`, `internal`, `interrupted` (the process
 * died while it ran).
 */
export const StopCauseSchema = z.enum([
  "completed", "aborted", "shutdown", "timeout", "limit", "blocked", "provider_error", "storage_error", "internal", "interrupted",
]);
export type StopCause = z.infer<typeof StopCauseSchema>;

export const StoredEventDataSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("user_message"),
    runId: z.string(),
    message: MessageSchema,
    /** channel-specific origin, e.g. { channel: "telegram", chatId, messageId } */
    origin: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({ type: z.literal("run_started"), runId: z.string(), model: z.string().optional() }),
  z.object({
    type: z.literal("assistant_message"),
    runId: z.string(),
    message: MessageSchema,
    stopReason: z.string(),
    model: z.string().optional(),
    usage: UsageSchema.optional(),
  }),
  z.object({
    type: z.literal("tool_result"),
    runId: z.string(),
    /** a user-role message holding tool_result blocks */
    message: MessageSchema,
    /** per call, for a client's tool card: duration and the sandbox level it ran under (absent in older logs) */
    tools: z.array(z.object({ toolCallId: z.string(), durationMs: z.number().min(0), sandbox: z.string() })).optional(),
  }),
  z.object({
    type: z.literal("run_finished"),
    runId: z.string(),
    outcome: RunOutcomeSchema,
    /** absent in logs written before causes were recorded */
    cause: StopCauseSchema.optional(),
    /** readable by a person, safe to show a client (no paths, SQL or secrets) */
    reason: z.string().optional(),
    usage: UsageSchema.optional(),
    durationMs: z.number().min(0),
  }),
  z.object({
    type: z.literal("compaction"),
    runId: z.string().optional(),
    summary: z.string(),
    /** every event with seq <= this is summarised by `summary` */
    throughSeq: z.number().int().min(0),
    tokensBefore: z.number().int().min(0).optional(),
  }),
  z.object({ type: z.literal("session_reset"), reason: z.string().optional() }),
]);

export type StoredEventData = z.infer<typeof StoredEventDataSchema>;
export type StoredEventType = StoredEventData["type"];

export interface StoredEvent<D extends StoredEventData = StoredEventData> {
  sessionKey: string;
  seq: number;
  ts: number;
  type: D["type"];
  data: D;
  idempotencyKey?: string;
}
