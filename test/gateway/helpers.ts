// Test harness: the real gateway with a real AgentRuntime over an in-process provider, and a
// small WebSocket JSON-RPC client. Servers bind 127.0.0.1:0 only.
import { AgentRuntime } from "../../src/agent/runtime.ts";
import { emptyUsage } from "../../src/core/messages.ts";
import { ApiKey } from "../../src/core/secrets.ts";
import { MemoryConfigSource } from "../../src/gateway/config-source.ts";
import type { GatewayDeps } from "../../src/gateway/deps.ts";
import { createGateway, type Gateway } from "../../src/gateway/gateway.ts";
import { createApp } from "../../src/gateway/app.ts";
import { serveGateway, type RunningServer } from "../../src/gateway/server.ts";
import type { Provider, ProviderEvent, ProviderRequest } from "../../src/providers/types.ts";
import type { SessionStore } from "../../src/store/types.ts";
import { MemoryStore } from "../../src/store/memory.ts";

export const TOKEN = "test-gateway-token-" + "x".repeat(32);

/** Replies at once: `echo: <last user text>` in two deltas. */
export class InstantProvider implements Provider {
  readonly id = "instant";
  requests: ProviderRequest[] = [];
  constructor(private readonly reply: (text: string) => string = (t) => `echo: ${t}`) {}
  async *stream(request: ProviderRequest): AsyncIterable<ProviderEvent> {
    this.requests.push(request);
    const last = request.messages.at(-1);
    const text = this.reply(last?.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("") ?? "");
    const half = Math.ceil(text.length / 2);
    yield { type: "start", model: request.model };
    yield { type: "text_delta", text: text.slice(0, half) };
    yield { type: "text_delta", text: text.slice(half) };
    yield { type: "stop", stopReason: "end_turn", message: { role: "assistant", content: [{ type: "text", text }] }, usage: { ...emptyUsage(), inputTokens: 3, outputTokens: 2 } };
  }
}

/** Streams one delta, then waits until `release()` or the abort signal. */
export class GatedProvider implements Provider {
  readonly id = "gated";
  #waiters: (() => void)[] = [];
  started = 0;
  release(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
  async *stream(request: ProviderRequest, signal?: AbortSignal): AsyncIterable<ProviderEvent> {
    this.started++;
    yield { type: "start", model: request.model };
    yield { type: "text_delta", text: "thinking…" };
    const aborted = await new Promise<boolean>((resolve) => {
      if (signal?.aborted) return resolve(true);
      this.#waiters.push(() => resolve(false));
      signal?.addEventListener("abort", () => resolve(true), { once: true });
    });
    const message = { role: "assistant" as const, content: [{ type: "text" as const, text: aborted ? "thinking…" : "thinking… done" }] };
    if (aborted) {
      yield { type: "stop", stopReason: "aborted", message, usage: emptyUsage(), error: { kind: "aborted", message: "aborted", retryable: false } };
      return;
    }
    yield { type: "text_delta", text: " done" };
    yield { type: "stop", stopReason: "end_turn", message, usage: emptyUsage() };
  }
}

export interface Harness {
  gw: Gateway;
  app: ReturnType<typeof createApp>;
  runtime: AgentRuntime;
  store: SessionStore;
  provider: Provider;
  /** app.request with the bearer token and a client address */
  request(path: string, init?: RequestInit & { auth?: string | null; ip?: string }): Promise<Response>;
  rpc(method: string, params?: unknown, id?: number | string): Promise<any>;
  close(): Promise<void>;
}

export function makeHarness(opts: { provider?: Provider; config?: Record<string, unknown>; deps?: Partial<GatewayDeps>; store?: SessionStore } = {}): Harness {
  const provider = opts.provider ?? new InstantProvider();
  const store = opts.store ?? new MemoryStore();
  const runtime = new AgentRuntime(provider, { maxConcurrent: 16 }).withStore(store);
  const gw = createGateway({
    runtime,
    config: new MemoryConfigSource(opts.config ?? {}),
    auth: { mode: "token", token: new ApiKey(TOKEN), source: "config" },
    version: "test",
    ...opts.deps,
  });
  const app = createApp(gw);
  const request = async (path: string, init: RequestInit & { auth?: string | null; ip?: string } = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    const auth = init.auth === undefined ? TOKEN : init.auth;
    if (auth !== null) headers.set("authorization", `Bearer ${auth}`);
    return app.request(path, { ...init, headers }, { ip: init.ip ?? "127.0.0.1" });
  };
  let nextId = 1;
  return {
    gw,
    app,
    runtime,
    store,
    provider,
    request,
    async rpc(method, params, id) {
      const body = JSON.stringify({ jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }), id: id ?? nextId++ });
      const res = await request("/rpc", { method: "POST", body, headers: { "content-type": "application/json" } });
      return res.json();
    },
    async close() {
      await runtime.shutdown(0);
      gw.dispose();
    },
  };
}

/**
 * Poll `cond` until it holds. A wait that runs out throws, naming what it waited for: a test never
 * carries on silently after a condition failed to arrive.
 */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(5);
  }
}

export function listen(h: Harness): RunningServer {
  return serveGateway(h.gw, { hostname: "127.0.0.1", port: 0 });
}

/** A JSON-RPC client over a real WebSocket. */
export class WsClient {
  readonly notifications: any[] = [];
  readonly #pending = new Map<number | string, (r: any) => void>();
  readonly #waiters = new Set<() => void>();
  #id = 1;
  closed: { code: number; reason: string } | null = null;
  readonly opened: Promise<void>;
  readonly closedP: Promise<{ code: number; reason: string }>;

  constructor(
    url: string,
    opts: { token?: string | null; headers?: Record<string, string> } = {},
    readonly ws: WebSocket = new WebSocket(url, { headers: { ...(opts.headers ?? {}), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) } } as any),
  ) {
    this.opened = new Promise((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener("error", () => reject(new Error("websocket error")), { once: true });
    });
    this.closedP = new Promise((resolve) =>
      ws.addEventListener("close", (e) => {
        this.closed = { code: e.code, reason: e.reason };
        resolve(this.closed);
        this.#wake();
      }),
    );
    ws.addEventListener("message", (e) => {
      const msg = JSON.parse(String(e.data));
      const items = Array.isArray(msg) ? msg : [msg];
      for (const m of items) {
        if ("id" in m && this.#pending.has(m.id)) {
          this.#pending.get(m.id)!(m);
          this.#pending.delete(m.id);
        } else this.notifications.push(m);
      }
      this.#wake();
    });
  }

  #wake(): void {
    for (const w of this.#waiters) w();
  }

  static async connect(url: string, opts: { token?: string | null; headers?: Record<string, string> } = {}): Promise<WsClient> {
    const c = new WsClient(url, opts);
    await c.opened;
    return c;
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  call(method: string, params?: unknown): Promise<any> {
    const id = this.#id++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.ws.send(JSON.stringify({ jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }), id }));
    });
  }

  /** Wait until `pred` holds; throws naming `what` after `timeoutMs` (woken by every frame and by the close). */
  async until(pred: () => boolean, timeoutMs = 5000, what = "a condition on the WebSocket client"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.min(left, 100));
        const w = () => done();
        const waiters = this.#waiters;
        function done() {
          clearTimeout(t);
          waiters.delete(w);
          resolve();
        }
        waiters.add(w);
      });
    }
  }

  events(runId?: string): any[] {
    return this.notifications.filter((n) => n.method === "chat.event" && (runId === undefined || n.params.runId === runId)).map((n) => n.params.event);
  }

  close(): void {
    this.ws.close();
  }
}
