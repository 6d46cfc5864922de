/**
 * JSON-RPC 2.0 over one open socket: numbered requests, their answers, and notifications handed to
 * `onNotification`. It knows nothing of reconnecting (composables/connection.ts owns that): when
 * the socket closes, `failAll` rejects every call in flight with DisconnectedError.
 */
import { DisconnectedError, RpcError } from "./errors.ts";
import type { MethodName, Methods } from "./types.ts";

/** The part of a WebSocket the client uses (a fake in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export type NotificationHandler = (method: string, params: unknown) => void;

export class RpcClient {
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(
    private readonly socket: SocketLike,
    private readonly onNotification: NotificationHandler,
  ) {}

  call<M extends MethodName>(method: M, params: Methods[M]["params"]): Promise<Methods[M]["result"]> {
    if (this.socket.readyState !== 1) return Promise.reject(new DisconnectedError());
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  /** One frame from the socket. Frames that are not JSON-RPC are ignored. */
  receive(text: string): void {
    let msg: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: { code?: number; message?: string; data?: RpcError["data"] } };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (Array.isArray(msg) || typeof msg !== "object" || msg === null) return;
    if (typeof msg.method === "string" && msg.id === undefined) {
      this.onNotification(msg.method, msg.params);
      return;
    }
    if (typeof msg.id !== "number") return;
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    if (msg.error) p.reject(new RpcError(msg.error.message ?? "request failed", msg.error.code ?? -32603, msg.error.data));
    else p.resolve(msg.result);
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  failAll(err: Error = new DisconnectedError()): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
