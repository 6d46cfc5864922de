/**
 * The OpenClaw codec: a connection whose first frame is `{type:"req", method:"connect", …}` speaks
 * OpenClaw's frames (`req` → `res`, `event`). It has its own method table (methods.ts: OpenClaw's
 * names and shapes over our handlers) and turns run events into `chat`/`agent` events (events.ts).
 * `Ref` is the request id (null when a frame had none usable).
 */
import { parseJson } from "../../core/json.ts";
import type { ClientError } from "../client-error.ts";
import type { AuthAttempt, Codec, Decoded } from "../codec.ts";
import type { Gateway } from "../gateway.ts";
import type { Scope } from "../rpc/method.ts";
import { Dispatcher } from "../rpc/dispatch.ts";
import { EVENTS, EventEncoder } from "./events.ts";
import { eventFrame, openclawError, RequestFrameSchema, resError, resOk } from "./frames.ts";
import { DeviceStore } from "./device-store.ts";
import { checkConnect, narrowScopes, TICK_INTERVAL_MS, theirScopes, type ConnectParams } from "./handshake.ts";
import { admitDevice } from "./pairing.ts";
import { openclawMethods, REQUEST_ID } from "./methods.ts";
import { Presence, type PresenceClient } from "./presence.ts";

export type OcRef = string | null;

const AUTH_MAX_DEPTH = 16;
const CLAIM = /^\s*\{/;

const invalid = (message: string): ClientError => ({ type: "InvalidRequestError", code: -32600, message });

export interface OpenClawCodecOptions {
  tickIntervalMs?: number;
  now?: () => number;
  /** the paired-devices file; default `<state dir>/devices/devices.json` */
  devicesPath?: string;
}

/** The fields a device may have signed: with the token it sent, its device token, or none. */
function signedFields(p: ConnectParams) {
  const tokens = [...new Set([p.auth?.token ?? null, p.auth?.deviceToken ?? null, null])];
  return tokens.map((token) => ({
    clientId: p.client.id,
    clientMode: p.client.mode,
    role: p.role ?? "operator",
    scopes: p.scopes ?? [],
    token,
    platform: p.client.platform,
    deviceFamily: p.client.deviceFamily,
  }));
}

export function openclawCodec(gw: Gateway, opts: OpenClawCodecOptions = {}): Codec<OcRef> {
  const now = opts.now ?? Date.now;
  const tickIntervalMs = opts.tickIntervalMs ?? TICK_INTERVAL_MS;
  const events = new EventEncoder(now);
  const devices = new DeviceStore(opts.devicesPath);
  const presence = new Presence(gw.version, now);
  const announcePresence = () => gw.broadcast("openclaw", "read", presence.frame());
  // sessions.changed goes, as in OpenClaw, only to connections that asked with `sessions.subscribe`
  // (a per-run broadcast to every client cost the OpenClaw path ~15% of its throughput; measured)
  const watchers = new Set<string>();
  const announce = (sessionKey: string, reason: string) => {
    if (watchers.size > 0) gw.broadcast("openclaw", "read", eventFrame("sessions.changed", { sessionKey, reason, ts: now() }), (id) => watchers.has(id));
  };
  // a run started from any source (a message) changes its session: OpenClaw clients refetch lists on sessions.changed
  gw.runtime.onEvent((ev) => {
    if (ev.type === "run_started") announce(ev.sessionKey, "message");
  });
  gw.cluster.onRemote((ev) => {
    if (ev.type === "run_started") announce(ev.sessionKey, "message"); // a run on another node (cluster-events.ts)
  });
  // resets and deletes through any transport (JSON-RPC, the CLI, OpenClaw frames): announced once, here
  gw.onSessionChange((c) => announce(c.sessionKey, c.reason));
  const dispatcher = new Dispatcher(openclawMethods(gw, presence, { watchers, announce }), { log: gw.log.child("openclaw"), observe: (m, ms, ok) => gw.metrics.observeRpc(`openclaw:${m}`, ms, ok) });

  return {
    name: "openclaw",
    dispatcher,
    tick: { intervalMs: tickIntervalMs, frame: () => eventFrame("tick", { ts: now() }) },
    shutdownFrame: (reason) => eventFrame("shutdown", { reason: reason.slice(0, 200) || "stopping" }),

    claims(first) {
      if (!CLAIM.test(first)) return false;
      const parsed = parseJson(first, AUTH_MAX_DEPTH);
      if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null) return false;
      const v = parsed.value as { type?: unknown; method?: unknown };
      return v.type === "req" && v.method === "connect";
    },

    decodeAuth(frame): AuthAttempt<OcRef> {
      const parsed = parseJson(frame, AUTH_MAX_DEPTH);
      const req = parsed.ok ? RequestFrameSchema.safeParse(parsed.value) : null;
      if (!req?.success) return { ref: null, token: null, refusal: invalid("the first frame must be a connect request: {type:\"req\", id, method:\"connect\", params}") };
      const ref = req.data.id;
      const check = checkConnect(req.data.params);
      if (!check.ok) return { ref, token: null, refusal: check.error };
      const p = check.params;
      const state = { protocol: check.protocol, client: p.client, deviceId: p.device?.id };
      const narrow = (granted: ReadonlySet<Scope>) => narrowScopes(granted, p.scopes);
      if (!p.device) return { ref, token: check.secret, narrow, state };
      const claim = p.device;
      // A paired device may present its device token instead of the shared token (in auth.deviceToken,
      // or in auth.token as openclaw-node does); it is checked under the same rate limit, and admission
      // then binds the connection to the device's approved scopes.
      const secret = check.secret ?? p.auth?.deviceToken ?? null;
      const deviceTokenOk = (t: string) => {
        try {
          const rec = devices.get(claim.id);
          return rec !== undefined && devices.tokenMatches(rec, t);
        } catch {
          return false; // an unreadable devices file: admission reports it
        }
      };
      return {
        ref,
        token: secret,
        narrow,
        state,
        // auth mode none: no credential is needed, so none is checked (checkToken admits)
        ...(gw.authn.required ? { verify: (t: string) => gw.authn.verify(t) || deviceTokenOk(t) } : {}),
        admit: ({ ip, nonce, scopes }) => {
          try {
            return admitDevice({ store: devices, claim, signed: signedFields(p), requested: p.scopes ?? [], now: now() }, ip, nonce, scopes, state);
          } catch (err) {
            gw.log.error("device admission failed", { error: err instanceof Error ? err.message : String(err) });
            return { ok: false, error: { type: "UnavailableError", code: -32007, message: "the paired-devices file could not be read or written; the gateway log has the details" }, closeReason: "device store unavailable" };
          }
        },
      };
    },

    encodeAuthOk(ref, hello) {
      const limits = gw.config().gateway.limits;
      const st = (hello.state ?? {}) as { protocol?: number; deviceToken?: string; client?: PresenceClient; deviceId?: string };
      const protocol = st.protocol ?? 4;
      if (st.client) presence.join(hello.connectionId, st.client, { deviceId: st.deviceId, scopes: theirScopes(hello.scopes) });
      return resOk(ref ?? "connect", {
        type: "hello-ok",
        protocol,
        server: { version: hello.version, connId: hello.connectionId },
        features: { methods: hello.methods, events: [...EVENTS] },
        snapshot: { presence: presence.list(), health: { ok: true }, stateVersion: { presence: presence.version, health: 0 }, uptimeMs: now() - gw.startedAt },
        auth: { role: "operator", scopes: theirScopes(hello.scopes), ...(st.deviceToken ? { deviceToken: st.deviceToken } : {}) },
        policy: { maxPayload: limits.maxFrameBytes, maxBufferedBytes: limits.maxBufferedBytes, tickIntervalMs },
      });
    },

    decode(frame, limits): Decoded<OcRef> {
      const parsed = parseJson(frame, limits.maxDepth);
      if (!parsed.ok) return { kind: "invalid", ref: null, error: invalid(parsed.reason === "depth" ? parsed.message : "the frame is not valid JSON") };
      const req = RequestFrameSchema.safeParse(parsed.value);
      if (!req.success) {
        const id = (parsed.value as { id?: unknown } | null)?.id;
        return { kind: "invalid", ref: typeof id === "string" && id.length > 0 && id.length <= 256 ? id : null, error: invalid("expected a request frame {type:\"req\", id, method, params}") };
      }
      if (req.data.method === "connect") return { kind: "calls", batch: false, items: [{ ref: req.data.id, error: invalid("already connected: connect is only the first frame") }] };
      const params = req.data.params ?? {};
      // `agent` answers twice (accepted, then the outcome), so its adapter needs the request id
      const withId = req.data.method === "agent" && typeof params === "object" && params !== null && !Array.isArray(params) ? { ...params, [REQUEST_ID]: req.data.id } : params;
      return { kind: "calls", batch: false, items: [{ ref: req.data.id, method: req.data.method, params: withId }] };
    },

    connected: () => announcePresence(),
    disconnected: (connId) => {
      watchers.delete(connId);
      if (presence.leave(connId)) announcePresence();
    },

    encodeResult: (ref, result) => resOk(ref ?? "unknown", result),
    encodeError: (ref, error) => resError(ref ?? "unknown", openclawError(error)),
    encodeBatch: (parts) => parts[0] ?? null,
    encodeEvent: (event) => events.encode(event),
  };
}
