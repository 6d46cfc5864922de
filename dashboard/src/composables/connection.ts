/**
 * The RPC connection: one WebSocket to this origin's /ws, reconnected with backoff, its state
 * visible (`connected` | `connecting` | `disconnected`). A factory returning refs plus functions;
 * every timer is cleared in one place (`clearTimer`), and each socket carries a generation number
 * so a late event from a dropped socket is ignored.
 *
 * Contract: `call` rejects with DisconnectedError while not connected (callers retry on `onOpen`);
 * `onOpen` handlers run after every (re)connect, which is where subscriptions are renewed; a close
 * that means "not logged in" (1008, or the upgrade refused) calls `onUnauthorized` once and stops.
 */
import { readonly, ref } from "vue";
import { RpcClient, type SocketLike } from "../rpc/client.ts";
import { DisconnectedError } from "../rpc/errors.ts";
import type { MethodName, Methods, Notifications } from "../rpc/types.ts";
import { backoffMs } from "../lib/backoff.ts";
import { wsUrl } from "../lib/ws-url.ts";

export type ConnState = "connected" | "connecting" | "disconnected";

export interface WsLike extends SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export interface ConnectionOptions {
  open?: () => WsLike;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  random?: () => number;
  /** asked after an unexpected close: is the login still valid? (false → onUnauthorized) */
  stillAuthenticated?: () => Promise<boolean>;
}

type Handler = (params: unknown) => void;

export function createConnection(opts: ConnectionOptions = {}) {
  const open = opts.open ?? (() => new WebSocket(wsUrl()) as unknown as WsLike);
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const state = ref<ConnState>("disconnected");
  const lastError = ref<string | null>(null);
  const handlers = new Map<string, Set<Handler>>();
  const openHandlers = new Set<() => void>();
  const unauthorizedHandlers = new Set<() => void>();
  let socket: WsLike | null = null;
  let client: RpcClient | null = null;
  let generation = 0;
  let attempt = 0;
  let timer: unknown = null;
  let wanted = false;

  const dispatch = (method: string, params: unknown) => {
    for (const h of handlers.get(method) ?? []) h(params);
  };

  function cancelTimer() {
    if (timer !== null) clearTimer(timer);
    timer = null;
  }

  function connect() {
    cancelTimer();
    const gen = ++generation;
    state.value = "connecting";
    let ws: WsLike;
    try {
      ws = open();
    } catch (err) {
      lastError.value = err instanceof Error ? err.message : String(err);
      scheduleRetry();
      return;
    }
    socket = ws;
    const rpc = new RpcClient(ws, dispatch);
    client = rpc;
    ws.onopen = () => {
      if (gen !== generation) return;
      attempt = 0;
      lastError.value = null;
      state.value = "connected";
      for (const h of openHandlers) h();
    };
    ws.onmessage = (ev) => {
      if (gen === generation && typeof ev.data === "string") rpc.receive(ev.data);
    };
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      rpc.failAll();
      if (gen !== generation) return;
      socket = null;
      client = null;
      state.value = "disconnected";
      if (!wanted) return;
      lastError.value = ev.reason || `connection closed (${ev.code})`;
      void afterClose(ev.code, gen);
    };
  }

  async function afterClose(code: number, gen: number) {
    // 1008: policy (logged out, session revoked); 1006 before any open may be a refused upgrade
    if ((code === 1008 || code === 1006) && opts.stillAuthenticated) {
      const ok = await opts.stillAuthenticated().catch(() => true);
      if (gen !== generation || !wanted) return;
      if (!ok) {
        stop();
        for (const h of unauthorizedHandlers) h();
        return;
      }
    }
    scheduleRetry();
  }

  function scheduleRetry() {
    if (!wanted) return;
    state.value = "disconnected";
    const delay = backoffMs(attempt++, opts.random);
    timer = setTimer(() => {
      timer = null;
      if (wanted) connect();
    }, delay);
  }

  function start() {
    if (wanted) return;
    wanted = true;
    attempt = 0;
    connect();
  }

  /** Close and stay closed (logout). Calls in flight reject. */
  function stop() {
    wanted = false;
    cancelTimer();
    generation++;
    client?.failAll();
    const s = socket;
    socket = null;
    client = null;
    state.value = "disconnected";
    if (s && s.readyState <= 1) s.close(1000, "bye");
  }

  function call<M extends MethodName>(method: M, params: Methods[M]["params"]): Promise<Methods[M]["result"]> {
    if (!client || state.value !== "connected") return Promise.reject(new DisconnectedError());
    return client.call(method, params);
  }

  function on<N extends keyof Notifications>(method: N, handler: (params: Notifications[N]) => void): () => void {
    let set = handlers.get(method);
    if (!set) handlers.set(method, (set = new Set()));
    set.add(handler as Handler);
    return () => set.delete(handler as Handler);
  }

  function onOpen(handler: () => void): () => void {
    openHandlers.add(handler);
    if (state.value === "connected") handler();
    return () => openHandlers.delete(handler);
  }

  function onUnauthorized(handler: () => void): () => void {
    unauthorizedHandlers.add(handler);
    return () => unauthorizedHandlers.delete(handler);
  }

  return { state: readonly(state), lastError: readonly(lastError), start, stop, call, on, onOpen, onUnauthorized };
}

export type Connection = ReturnType<typeof createConnection>;
