/**
 * The WebSocket edge of the RPC connection, faked: the real createConnection + RpcClient run
 * against it. `answer` maps a method to a handler; `notify` pushes a notification as the gateway
 * would; `sent` records every request. Timers are manual (`fire`), so nothing waits on a clock.
 */
import { createConnection, type WsLike } from "../src/composables/connection.ts";

type Handler = (params: any) => unknown;

export class FakeSocket implements WsLike {
  readyState = 0;
  onopen: WsLike["onopen"] = null;
  onmessage: WsLike["onmessage"] = null;
  onclose: WsLike["onclose"] = null;
  onerror: WsLike["onerror"] = null;
  closed: { code?: number } | null = null;
  constructor(private readonly server: FakeGateway) {}
  send(data: string) {
    const msg = JSON.parse(data) as { id: number; method: string; params: unknown };
    this.server.sent.push({ method: msg.method, params: msg.params });
    const h = this.server.handlers[msg.method];
    void (async () => {
      try {
        if (!h) throw Object.assign(new Error(`method not found: ${msg.method}`), { code: -32601 });
        const result = await h(msg.params);
        this.deliver({ jsonrpc: "2.0", id: msg.id, result });
      } catch (err) {
        const e = err as { message: string; code?: number; data?: unknown };
        this.deliver({ jsonrpc: "2.0", id: msg.id, error: { code: e.code ?? -32603, message: e.message, data: e.data } });
      }
    })();
  }
  deliver(frame: unknown) {
    if (this.readyState === 1) this.onmessage?.({ data: JSON.stringify(frame) });
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(code = 1006, reason = "") {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  close(code?: number) {
    this.closed = { ...(code !== undefined ? { code } : {}) };
    this.readyState = 3;
  }
}

export class FakeGateway {
  sockets: FakeSocket[] = [];
  sent: { method: string; params: unknown }[] = [];
  timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  constructor(public handlers: Record<string, Handler> = {}) {}
  get socket(): FakeSocket {
    const s = this.sockets[this.sockets.length - 1];
    if (!s) throw new Error("no socket was opened");
    return s;
  }
  connection(opts: { stillAuthenticated?: () => Promise<boolean>; autoOpen?: boolean } = {}) {
    return createConnection({
      open: () => {
        const s = new FakeSocket(this);
        this.sockets.push(s);
        if (opts.autoOpen !== false) queueMicrotask(() => s.open());
        return s;
      },
      setTimer: (fn, ms) => {
        const t = { fn, ms, cleared: false };
        this.timers.push(t);
        return t;
      },
      clearTimer: (h) => {
        (h as { cleared: boolean }).cleared = true;
      },
      random: () => 1,
      ...(opts.stillAuthenticated ? { stillAuthenticated: opts.stillAuthenticated } : {}),
    });
  }
  /** Run the pending timer (a reconnect); fails the test when there is none. */
  fire(): number {
    const t = this.timers.find((x) => !x.cleared);
    if (!t) throw new Error("no timer is pending");
    t.cleared = true;
    t.fn();
    return t.ms;
  }
  notify(method: string, params: unknown) {
    this.socket.deliver({ jsonrpc: "2.0", method, params });
  }
}

/** Let queued promise callbacks run (a bounded number of turns, no clock). */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
  await new Promise<void>((r) => setTimeout(r, 0));
}
