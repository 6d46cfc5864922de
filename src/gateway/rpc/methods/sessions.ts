/** sessions.list|get|reset|delete|export|subscribe|unsubscribe. */
import { z } from "zod";
import { RateLimitedError } from "../../../core/errors.ts";
import type { SessionListOptions } from "../../../store/types.ts";
import type { Gateway } from "../../gateway.ts";
import { defineMethod, requirePeer, type MethodDef } from "../method.ts";
import { requireSession, SessionKeySchema } from "./session-key.ts";

const KeyParams = z.strictObject({ sessionKey: SessionKeySchema });
const ListParams = z.strictObject({
  limit: z.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional(),
  agentId: z.string().max(64).optional(),
  channel: z.string().max(64).optional(),
  /** case-insensitive substring of the key, channel, peer or title */
  query: z.string().max(200).optional(),
});

export function sessionMethods(gw: Gateway): MethodDef[] {
  return [
    defineMethod({
      name: "sessions.list",
      scope: "read",
      params: ListParams,
      handler: async (p) => {
        const opts: SessionListOptions = { limit: p.limit };
        if (p.cursor) opts.cursor = p.cursor;
        if (p.agentId) opts.agentId = p.agentId;
        if (p.channel) opts.channel = p.channel;
        if (p.query?.trim()) opts.query = p.query.trim();
        const page = await gw.store.listSessions(opts);
        const counts = await gw.store.messageCounts(page.items.map((s) => s.key));
        const active = new Set(gw.runtime.runs().map((r) => r.sessionKey));
        const sessions = page.items.map((s) => ({
          ...s,
          active: active.has(s.key),
          messageCount: counts[s.key] ?? 0,
          lastActivityAt: new Date(s.updatedAt).toISOString(),
        }));
        return { sessions, nextCursor: page.nextCursor };
      },
    }),

    defineMethod({
      name: "sessions.get",
      scope: "read",
      params: KeyParams,
      handler: async (p) => {
        const session = await requireSession(gw.store, p.sessionKey);
        return { session, runs: gw.runtime.runs().filter((r) => r.sessionKey === p.sessionKey) };
      },
    }),

    defineMethod({
      name: "sessions.reset",
      scope: "write",
      params: KeyParams,
      handler: async (p) => {
        await gw.resetSession(p.sessionKey);
        return { ok: true };
      },
    }),

    defineMethod({
      name: "sessions.delete",
      scope: "write",
      params: KeyParams,
      handler: async (p) => ({ deleted: await gw.deleteSession(p.sessionKey) }),
    }),

    defineMethod({
      name: "sessions.export",
      scope: "read",
      params: KeyParams,
      handler: async (p) => {
        await requireSession(gw.store, p.sessionKey);
        return { sessionKey: p.sessionKey, format: "jsonl", jsonl: await gw.store.exportJsonl(p.sessionKey) };
      },
    }),

    defineMethod({
      name: "sessions.subscribe",
      scope: "read",
      params: KeyParams,
      handler: (p, call) => {
        const peer = requirePeer(call);
        const max = gw.config().gateway.limits.maxSubscriptionsPerConnection;
        if (peer.subscriptionCount() >= max && !peer.isSubscribed(p.sessionKey)) {
          throw new RateLimitedError(`a connection may subscribe to at most ${max} sessions (gateway.limits.maxSubscriptionsPerConnection)`);
        }
        peer.subscribe(p.sessionKey);
        return { subscribed: true, sessionKey: p.sessionKey };
      },
    }),

    defineMethod({
      name: "sessions.unsubscribe",
      scope: "read",
      params: KeyParams,
      handler: (p, call) => {
        return { unsubscribed: requirePeer(call).unsubscribe(p.sessionKey), sessionKey: p.sessionKey };
      },
    }),
  ];
}
