/**
 * The JSON-RPC methods the dashboard calls and what they answer, as docs/gateway.md and
 * docs/dashboard.md specify them. Types only, no zod in the page: the gateway validates every
 * params object itself (strict zod schemas) and a wrong one comes back as -32602 naming the path;
 * shipping the schemas would cost budget for a check the server makes anyway (docs/decisions.md).
 */

export type RunOutcome = "ok" | "aborted" | "error" | "limit" | "interrupted";
export type SandboxLevel = "strict" | "standard" | "off";

export type HistoryEntry =
  | { seq: number; ts: number; kind: "message"; role: "user" | "assistant"; runId: string; text: string; toolCalls?: { id: string; name: string; input: unknown }[]; stopReason?: string; model?: string }
  | { seq: number; ts: number; kind: "tool_result"; runId: string; results: { toolCallId: string; isError: boolean; text: string; durationMs?: number; sandbox?: SandboxLevel }[] }
  | { seq: number; ts: number; kind: "run_started"; runId: string; model?: string }
  | { seq: number; ts: number; kind: "run_finished"; runId: string; outcome: string; reason?: string; durationMs: number }
  | { seq: number; ts: number; kind: "compaction"; summary: string }
  | { seq: number; ts: number; kind: "session_reset"; reason?: string };

/** `chat.event` notification params' `event`: the run events a chat shows. */
export type RunEvent =
  | { type: "run_started"; runId: string; model?: string }
  | { type: "text_delta"; runId: string; text: string }
  | { type: "tool_call"; runId: string; toolCallId: string; name: string; input: unknown; sandbox?: SandboxLevel }
  | { type: "tool_result"; runId: string; toolCallId: string; name: string; isError: boolean; output: string; durationMs?: number; sandbox?: SandboxLevel }
  | { type: "error"; runId: string; error: { type: string; message: string } }
  | { type: "final"; runId: string; text: string; outcome: RunOutcome; durationMs: number; reason?: string }
  | { type: string; runId: string };

export interface SessionItem {
  key: string;
  agentId: string;
  channel: string | null;
  peer: string | null;
  title: string | null;
  messageCount?: number;
  lastActivityAt?: string;
  updatedAt?: number;
  active?: boolean;
}

export interface ChannelItem {
  id: string;
  enabled: boolean;
  running: boolean;
  state: string;
  mode?: string;
  account?: string;
  botUsername?: string;
  lastUpdateAt?: string;
  lastError?: string;
  allowFrom?: string[];
}

export interface PairingRequest {
  channel: string;
  peerId: string;
  code: string;
  status: string;
  createdAt: number;
  expiresAt: number;
  meta?: Record<string, unknown>;
}

export interface LogRecord {
  ts: string;
  level: "error" | "warn" | "info" | "debug" | "trace";
  scope: string;
  msg: string;
  [key: string]: unknown;
}

export interface MetricsSnapshot {
  version: string;
  uptimeS: number;
  runsInFlight: number;
  connections: number;
  rssBytes: number;
  heapUsedBytes: number;
  messagesPerSec: number;
  /** null until a run has finished */
  turnLatencyMs: { p50: number | null; p99: number | null; count: number };
  runsByOutcome: Record<RunOutcome, number>;
  series: { t: number[]; rssBytes: number[]; messagesPerSec: number[]; runsInFlight: number[] };
}

/** A JSON Schema node as `config.schema` gives it (zod's toJSONSchema, draft 2020-12). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  [key: string]: unknown;
}

/** Method name → params and result. The one place the page learns a method's shape. */
export interface Methods {
  status: { params: Record<string, never>; result: { version: string; uptimeS: number } };
  "chat.send": { params: { sessionKey?: string; text: string; idempotencyKey?: string }; result: { runId: string; sessionKey: string; deduplicated: boolean } };
  "chat.abort": { params: { sessionKey?: string; runId?: string }; result: { aborted: boolean } };
  "chat.history": { params: { sessionKey: string; limit?: number; before?: number }; result: { entries: HistoryEntry[]; nextBefore?: number } };
  "sessions.list": { params: { limit?: number; cursor?: string; query?: string }; result: { sessions: SessionItem[]; nextCursor?: string } };
  "sessions.get": { params: { sessionKey: string }; result: { session: SessionItem; runs: unknown[] } };
  "sessions.reset": { params: { sessionKey: string }; result: { ok: boolean } };
  "sessions.delete": { params: { sessionKey: string }; result: { deleted: boolean } };
  "sessions.export": { params: { sessionKey: string }; result: { format: "jsonl"; jsonl: string } };
  "sessions.subscribe": { params: { sessionKey: string }; result: unknown };
  "sessions.unsubscribe": { params: { sessionKey: string }; result: unknown };
  "config.get": { params: Record<string, never>; result: { config: Record<string, unknown> } };
  "config.schema": { params: Record<string, never>; result: { schema: JsonSchema } };
  "config.patch": { params: { patch: Record<string, unknown> }; result: { changed: string[]; applied: string[]; restartRequired: string[]; config: Record<string, unknown> } };
  "channels.status": { params: Record<string, never>; result: { channels: ChannelItem[] } };
  "pairing.list": { params: { channel?: string }; result: { requests: PairingRequest[] } };
  "pairing.approve": { params: { channel: string; code: string }; result: { request: PairingRequest } };
  "pairing.deny": { params: { channel: string; code: string }; result: { request: PairingRequest } };
  "logs.tail": { params: { lines?: number; follow?: boolean }; result: { records: LogRecord[]; following?: boolean } };
  "metrics.snapshot": { params: Record<string, never>; result: MetricsSnapshot };
}

export type MethodName = keyof Methods;

/** Notifications the gateway pushes: method → params. */
export interface Notifications {
  "chat.event": { sessionKey: string; runId: string; event: RunEvent };
  /** the params are the record itself (docs/dashboard.md), already redacted */
  "logs.record": LogRecord;
}
