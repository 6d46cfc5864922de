/**
 * OpenClaw's methods, with OpenClaw's payload shapes, as thin adapters over the JSON-RPC methods'
 * own definitions (the same handlers, so the same domain calls, validation and errors). Each
 * adapter names the scope it needs in our terms; the OpenClaw codec's own dispatcher checks it.
 * A method not in this table answers METHOD_NOT_FOUND (the socket stays open).
 */
import { z } from "zod";
import { InvalidParamsError, MethodNotFoundError, NotFoundError } from "../../core/errors.ts";
import type { Gateway } from "../gateway.ts";
import { defineMethod, requirePeer, type CallContext, type MethodDef } from "../rpc/method.ts";
import { chatMethods } from "../rpc/methods/chat.ts";
import { configMethods } from "../rpc/methods/config.ts";
import { sessionMethods } from "../rpc/methods/sessions.ts";
import { requireSession } from "../rpc/methods/session-key.ts";
import { systemMethods } from "../rpc/methods/system.ts";
import { streamAgentRun } from "./agent-stream.ts";
import type { Presence } from "./presence.ts";
import { RunWaiter } from "./run-waiter.ts";
import { openclawStatus } from "./status.ts";

/** The param the codec adds to `agent` calls: the request id its final answer must carry. */
export const REQUEST_ID = "__openclawRequestId";
const MAX_ALIASES = 1000;
/** sessions.patch members that select or guard the session rather than change it */
const PATCH_IGNORED = new Set(["key", "agentId", "expectedSessionId", "expectedLifecycleRevision", "expectedSessionUpdatedAt"]);

const Key = z.string().min(1).max(512);
const SendParams = z.looseObject({ sessionKey: Key, message: z.string().min(1).max(1_000_000), idempotencyKey: z.string().min(1).max(256).optional(), agentId: z.string().max(64).optional() });
const AgentParams = z.looseObject({
  message: z.string().min(1).max(1_000_000),
  idempotencyKey: z.string().min(1).max(256),
  sessionKey: Key.optional(),
  agentId: z.string().max(64).optional(),
  [REQUEST_ID]: z.string().max(256).optional(),
});
const KeyParams = z.looseObject({ key: Key });
const loose = z.looseObject({});

const COMMANDS = [
  { name: "new", description: "start a new session" },
  { name: "stop", description: "stop the running reply" },
  { name: "status", description: "show the session's status" },
  { name: "help", description: "list the commands" },
];

/** The connections that asked for `sessions.changed` (`sessions.subscribe`), and how a change is announced to them. */
export interface SessionWatch {
  watchers: Set<string>;
  announce(sessionKey: string, reason: string): void;
}

export function openclawMethods(gw: Gateway, presence: Presence, watch: SessionWatch): MethodDef[] {
  const ours = new Map([...chatMethods(gw), ...sessionMethods(gw), ...systemMethods(gw), ...configMethods(gw)].map((m) => [m.name, m]));
  const waiter = new RunWaiter(gw.runtime);
  /** OpenClaw run ids (the client's idempotency key, for `agent` runs) → ours */
  const aliases = new Map<string, string>();
  const ourRunId = (id: string) => aliases.get(id) ?? id;
  const changed = (key: string, reason: string) => watch.announce(key, reason);
  async function call(name: string, params: unknown, ctx: CallContext): Promise<any> {
    const def = ours.get(name);
    if (!def) throw new MethodNotFoundError(`${name} is not available`);
    const parsed = def.params.safeParse(params);
    if (!parsed.success) throw new InvalidParamsError("Invalid params", { details: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })) });
    return def.handler(parsed.data, ctx);
  }
  /** OpenClaw's `main` (a bare key) names the agent's main session. */
  const sessionKey = (key: string, agentId?: string) => (key.includes(":") ? key : key === "main" ? gw.defaultSessionKey(agentId) : `agent:${agentId ?? "main"}:${key}`);
  // OpenClaw's schema requires the idempotency key; a client that omits it (openclaw-node's sessions.send) still gets a run
  const start = async (p: { message: string; idempotencyKey?: string | undefined; sessionKey?: string | undefined; agentId?: string | undefined }, ctx: CallContext) =>
    call("chat.send", { sessionKey: sessionKey(p.sessionKey ?? "main", p.agentId), text: p.message, ...(p.idempotencyKey ? { idempotencyKey: p.idempotencyKey } : {}) }, ctx);

  return [
    defineMethod({ name: "health", scope: "read", params: loose, handler: () => ({ ok: true, ts: Date.now(), durationMs: 0, uptimeMs: Date.now() - gw.startedAt, version: gw.version }) }),
    defineMethod({ name: "status", scope: "read", params: loose, handler: async (_p, ctx) => openclawStatus(gw, await call("status", {}, ctx)) }),
    defineMethod({ name: "system-presence", scope: "read", params: loose, handler: () => presence.list() }),
    defineMethod({
      name: "sessions.subscribe",
      scope: "read",
      params: loose,
      handler: (_p, ctx) => {
        watch.watchers.add(requirePeer(ctx).id);
        return { subscribed: true };
      },
    }),
    defineMethod({
      name: "sessions.unsubscribe",
      scope: "read",
      params: loose,
      handler: (_p, ctx) => {
        watch.watchers.delete(requirePeer(ctx).id);
        return { subscribed: false };
      },
    }),
    defineMethod({
      name: "chat.send",
      scope: "write",
      params: SendParams,
      handler: async (p, ctx) => {
        const r = await start(p, ctx);
        waiter.track(r.runId);
        return { runId: r.runId, status: r.deduplicated ? "in_flight" : "started" };
      },
    }),
    defineMethod({
      name: "chat.history",
      scope: "read",
      params: z.looseObject({ sessionKey: Key, limit: z.number().int().min(1).max(1000).optional() }),
      handler: async (p, ctx) => {
        const key = sessionKey(p.sessionKey);
        const page = await call("chat.history", { sessionKey: key, limit: Math.min(p.limit ?? 200, 500) }, ctx);
        const messages = page.entries
          .filter((e: { kind: string }) => e.kind === "message")
          .map((e: { role: string; text: string; ts: number }) => ({ role: e.role, content: [{ type: "text", text: e.text }], timestamp: e.ts }));
        return { sessionKey: key, messages };
      },
    }),
    defineMethod({
      name: "chat.abort",
      scope: "write",
      params: z.looseObject({ sessionKey: Key, runId: z.string().min(1).max(128).optional() }),
      handler: async (p, ctx) => {
        const r = await call("chat.abort", p.runId ? { runId: ourRunId(p.runId) } : { sessionKey: sessionKey(p.sessionKey) }, ctx);
        return { ok: true, aborted: r.aborted };
      },
    }),
    defineMethod({
      name: "agent",
      scope: "write",
      params: AgentParams,
      handler: async (p, ctx) => {
        const key = sessionKey(p.sessionKey ?? "main", p.agentId);
        const handle = await gw.runs.start({ sessionKey: key, text: p.message, idempotencyKey: p.idempotencyKey, channel: "gateway", ...(p.agentId ? { agentId: p.agentId } : {}) });
        waiter.track(handle.runId);
        aliases.set(p.idempotencyKey, handle.runId);
        if (aliases.size > MAX_ALIASES) aliases.delete(aliases.keys().next().value!);
        const requestId = p[REQUEST_ID];
        const send = ctx.peer?.send?.bind(ctx.peer);
        if (requestId && send) streamAgentRun(handle, p.idempotencyKey, requestId, send);
        return { runId: p.idempotencyKey, status: "accepted", acceptedAt: Date.now() };
      },
    }),
    defineMethod({
      name: "agent.wait",
      scope: "read",
      params: z.looseObject({ runId: z.string().min(1).max(128), timeoutMs: z.number().int().min(0).max(600_000).optional() }),
      handler: async (p) => {
        const out = await waiter.wait(ourRunId(p.runId), p.timeoutMs ?? 30_000);
        if (out !== "unknown") return { ...out, runId: p.runId };
        throw new NotFoundError(`no run ${p.runId.slice(0, 128)} is known here; agent.wait follows runs started by agent or chat.send on this gateway`);
      },
    }),
    defineMethod({
      name: "sessions.list",
      scope: "read",
      params: z.looseObject({ limit: z.number().int().min(1).optional() }),
      handler: async (p, ctx) => {
        const page = await call("sessions.list", { limit: Math.min(p.limit ?? 50, 500) }, ctx);
        const sessions = page.sessions.map((s: { key: string; updatedAt: number; title?: string }) => ({ ...s, kind: "direct", updatedAt: s.updatedAt, label: s.title }));
        return { ts: Date.now(), count: sessions.length, sessions };
      },
    }),
    defineMethod({ name: "sessions.get", scope: "read", params: KeyParams, handler: (p, ctx) => call("sessions.get", { sessionKey: sessionKey(p.key) }, ctx) }),
    defineMethod({
      name: "sessions.reset",
      scope: "write",
      params: KeyParams,
      handler: async (p, ctx) => {
        const key = sessionKey(p.key);
        const r = await call("sessions.reset", { sessionKey: key }, ctx);
        return { ok: true, key, ...r };
      },
    }),
    defineMethod({
      name: "sessions.delete",
      scope: "write",
      params: KeyParams,
      handler: async (p, ctx) => {
        const key = sessionKey(p.key);
        const r = await call("sessions.delete", { sessionKey: key }, ctx);
        return { ok: true, key, ...r };
      },
    }),
    defineMethod({
      name: "sessions.patch",
      scope: "write",
      params: z.looseObject({ key: Key, label: z.string().max(512).nullable().optional() }),
      handler: async (p) => {
        // only the label maps onto something we keep (the session title); anything else is refused by name, not ignored
        const other = Object.keys(p).filter((k) => !PATCH_IGNORED.has(k) && k !== "label");
        if (other.length > 0) throw new InvalidParamsError(`sessions.patch here changes only label; not supported: ${other.slice(0, 10).join(", ")}`);
        const key = sessionKey(p.key);
        await requireSession(gw.store, key);
        if (p.label !== undefined) await gw.store.setTitle(key, p.label ?? "");
        changed(key, "patch");
        return { ok: true, key, entry: await gw.store.getSession(key) };
      },
    }),
    defineMethod({ name: "config.get", scope: "admin", params: loose, handler: async (_p, ctx) => { const r = await call("config.get", {}, ctx); return { exists: true, parsed: r.config, config: r.config }; } }),
    defineMethod({ name: "config.schema", scope: "admin", params: loose, handler: (_p, ctx) => call("config.schema", {}, ctx) }),
    defineMethod({
      name: "models.list",
      scope: "read",
      params: loose,
      handler: () => {
        const model = gw.config().agents.defaults.model;
        const ref = typeof model === "string" ? model : (model as { primary?: string } | undefined)?.primary;
        if (!ref) return { models: [] };
        const [provider, ...rest] = ref.split("/");
        return { models: [{ id: rest.join("/"), name: rest.join("/"), provider, available: true }] };
      },
    }),
    defineMethod({ name: "channels.status", scope: "read", params: loose, handler: (_p, ctx) => call("channels.status", {}, ctx) }),
    defineMethod({
      name: "logs.tail",
      scope: "admin",
      params: z.looseObject({ limit: z.number().int().min(1).max(5000).optional() }),
      handler: async (p, ctx) => {
        const r = await call("logs.tail", { lines: Math.min(p.limit ?? 100, 500), follow: false }, ctx);
        return { cursor: gw.recentLogs.length, lines: r.records.map((rec: unknown) => JSON.stringify(rec)), truncated: false, reset: false };
      },
    }),
    defineMethod({ name: "commands.list", scope: "read", params: loose, handler: () => ({ commands: COMMANDS }) }),
  ];
}
