/** chat.send, chat.abort, chat.history. */
import { z } from "zod";
import type { Gateway } from "../../gateway.ts";
import { toHistoryEntry } from "../../history-entries.ts";
import { defineMethod, type MethodDef } from "../method.ts";
import { requireSession, SessionKeySchema } from "./session-key.ts";

const AgentIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, _ and -");

export const ChatSendParams = z.strictObject({
  sessionKey: SessionKeySchema.optional(),
  text: z.string().min(1).max(1_000_000),
  idempotencyKey: z.string().min(1).max(256).optional(),
  agentId: AgentIdSchema.optional(),
  model: z.string().min(1).max(200).optional(),
});

const ChatAbortParams = z
  .strictObject({ runId: z.string().min(1).max(128).optional(), sessionKey: SessionKeySchema.optional() })
  .refine((p) => p.runId !== undefined || p.sessionKey !== undefined, "give runId or sessionKey");

const ChatHistoryParams = z
  .strictObject({
    sessionKey: SessionKeySchema,
    limit: z.number().int().min(1).max(500).default(50),
    /** return entries with seq < before (the `nextBefore` of the previous page) */
    before: z.number().int().min(1).optional(),
    /** resume: entries with seq > after, oldest first (the last seq the client has, or the `nextAfter` of the previous page) */
    after: z.number().int().min(0).optional(),
  })
  .refine((p) => p.before === undefined || p.after === undefined, "give before (page back) or after (resume forward), not both");

export function chatMethods(gw: Gateway): MethodDef[] {
  return [
    defineMethod({
      name: "chat.send",
      scope: "write",
      params: ChatSendParams,
      handler: async (p, call) => {
        const sessionKey = p.sessionKey ?? gw.defaultSessionKey(p.agentId);
        // Subscribe before starting so the first event of the run cannot be missed.
        const peer = call.peer;
        const added = peer !== undefined && !peer.isSubscribed(sessionKey);
        if (added) peer.subscribe(sessionKey);
        try {
          const handle = await gw.runs.start({ ...p, sessionKey, channel: "gateway" });
          return { runId: handle.runId, sessionKey: handle.sessionKey, deduplicated: handle.deduplicated };
        } catch (err) {
          if (added) peer.unsubscribe(sessionKey);
          throw err;
        }
      },
    }),

    defineMethod({
      name: "chat.abort",
      scope: "write",
      params: ChatAbortParams,
      handler: (p) => {
        const target: { runId?: string; sessionKey?: string } = {};
        if (p.runId) target.runId = p.runId;
        if (p.sessionKey) target.sessionKey = p.sessionKey;
        return { aborted: gw.runtime.abort(target) };
      },
    }),

    defineMethod({
      name: "chat.history",
      scope: "read",
      params: ChatHistoryParams,
      handler: async (p) => {
        const session = await requireSession(gw.store, p.sessionKey);
        if (p.after !== undefined) return historyAfter(gw, p.sessionKey, session.lastSeq, p.after, p.limit);
        const upper = Math.min(session.lastSeq, (p.before ?? session.lastSeq + 1) - 1);
        if (upper < 1) return { sessionKey: p.sessionKey, entries: [] };
        const lower = Math.max(1, upper - p.limit + 1);
        const events = await gw.store.readRange(p.sessionKey, lower, upper, p.limit);
        const page: { sessionKey: string; entries: unknown[]; nextBefore?: number } = {
          sessionKey: p.sessionKey,
          entries: events.map(toHistoryEntry),
        };
        if (lower > 1) page.nextBefore = lower;
        return page;
      },
    }),
  ];
}

/**
 * `chat.history` with `after`: what a reconnecting client missed, oldest first. The log is gap-free
 * and shared by every node, so `after` = the last seq the client has returns exactly the rest, from
 * whichever node it reconnects to; `nextAfter` when more remain.
 */
async function historyAfter(gw: Gateway, sessionKey: string, lastSeq: number, after: number, limit: number) {
  if (after >= lastSeq) return { sessionKey, entries: [] };
  const upper = Math.min(lastSeq, after + limit);
  const events = await gw.store.readRange(sessionKey, after + 1, upper, limit);
  const page: { sessionKey: string; entries: unknown[]; nextAfter?: number } = { sessionKey, entries: events.map(toHistoryEntry) };
  if (upper < lastSeq) page.nextAfter = upper;
  return page;
}
