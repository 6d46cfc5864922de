/**
 * The JSON-RPC dispatcher: envelope checks, batches (bounded), params validated by each method's
 * zod schema, one error mapping. Transport-neutral: WebSocket and `POST /rpc` both call
 * `handleText`. Methods live in a `Map`, so a method named `constructor` or `__proto__` is simply
 * not found.
 */
import { z } from "zod";
import { InvalidParamsError, InvalidRequestError, MethodNotFoundError, OpenClawError, RpcCode, toWireError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { parseJson } from "../../core/json.ts";
import {
  asRequest,
  failure,
  isNotification,
  salvageId,
  standardError,
  success,
  type RpcRequest,
  type RpcResponse,
} from "./protocol.ts";

/** The connection a call came on, as far as methods need it (subscriptions live on WebSockets). */
export interface RpcPeer {
  readonly id: string;
  subscribe(sessionKey: string): void;
  unsubscribe(sessionKey: string): boolean;
  isSubscribed(sessionKey: string): boolean;
  subscriptionCount(): number;
  setLogTail(on: boolean): void;
}

export interface CallContext {
  transport: "ws" | "http";
  ip: string;
  /** present on WebSocket calls */
  peer?: RpcPeer;
}

export interface MethodDef<S extends z.ZodType = z.ZodType> {
  params: S;
  handler: (params: z.output<S>, call: CallContext) => unknown;
}

export function defineMethod<S extends z.ZodType>(params: S, handler: (params: z.output<S>, call: CallContext) => unknown): MethodDef {
  return { params, handler: handler as MethodDef["handler"] };
}

export type MethodTable = Record<string, MethodDef>;

export interface DispatcherOptions {
  maxBatch: () => number;
  maxDepth: () => number;
  log?: Logger;
  /** called once per request (not per notification) with its outcome */
  observe?: (method: string, ms: number, ok: boolean) => void;
}

export class Dispatcher {
  readonly #methods = new Map<string, MethodDef>();
  constructor(
    methods: MethodTable,
    private readonly opts: DispatcherOptions,
  ) {
    for (const [name, def] of Object.entries(methods)) this.#methods.set(name, def);
  }

  /** Parse and dispatch one frame/body. Returns the serialized response, or null when none is due. */
  async handleText(text: string, call: CallContext): Promise<string | null> {
    const parsed = parseJson(text, this.opts.maxDepth());
    if (!parsed.ok) {
      const err = parsed.reason === "depth" ? { code: RpcCode.InvalidRequest, message: parsed.message } : standardError(RpcCode.ParseError);
      return JSON.stringify(failure(null, err));
    }
    const out = await this.handleValue(parsed.value, call);
    return out === null ? null : JSON.stringify(out);
  }

  async handleValue(value: unknown, call: CallContext): Promise<RpcResponse | RpcResponse[] | null> {
    if (!Array.isArray(value)) return this.handleOne(value, call);
    if (value.length === 0) return failure(null, standardError(RpcCode.InvalidRequest));
    const max = this.opts.maxBatch();
    if (value.length > max) {
      return failure(null, { code: RpcCode.InvalidRequest, message: `batch of ${value.length} requests exceeds the limit of ${max}` });
    }
    const results = await Promise.all(value.map((v) => this.handleOne(v, call)));
    const responses = results.filter((r): r is RpcResponse => r !== null);
    return responses.length === 0 ? null : responses;
  }

  async handleOne(value: unknown, call: CallContext): Promise<RpcResponse | null> {
    const req = asRequest(value);
    if (!req) return failure(salvageId(value), standardError(RpcCode.InvalidRequest));
    const started = performance.now();
    try {
      const result = await this.invoke(req, call);
      this.#trace(req, call, started, "ok");
      if (isNotification(req)) return null;
      this.opts.observe?.(req.method, performance.now() - started, true);
      return success(req.id ?? null, result);
    } catch (err) {
      this.#trace(req, call, started, err instanceof OpenClawError ? err.name : "InternalError");
      if (isNotification(req)) return null;
      this.opts.observe?.(req.method, performance.now() - started, false);
      if (!(err instanceof OpenClawError)) this.opts.log?.error("rpc method failed", { method: req.method, error: err, stack: err instanceof Error ? err.stack : undefined });
      return failure(req.id ?? null, toWireError(err));
    }
  }

  /** One debug line per WebSocket call (HTTP requests get theirs from the request logger). */
  #trace(req: RpcRequest, call: CallContext, started: number, outcome: string): void {
    const log = this.opts.log;
    if (call.transport !== "ws" || !log?.enabled("debug")) return;
    const ms = Math.round((performance.now() - started) * 100) / 100;
    log.debug("rpc", { method: req.method.slice(0, 100), outcome, ms, peer: call.peer?.id, ip: call.ip });
  }

  private async invoke(req: RpcRequest, call: CallContext): Promise<unknown> {
    const def = this.#methods.get(req.method);
    if (!def) throw new MethodNotFoundError("Method not found", { details: { method: req.method.slice(0, 100) } });
    const parsed = def.params.safeParse(req.params === undefined ? {} : req.params);
    if (!parsed.success) {
      throw new InvalidParamsError("Invalid params", {
        details: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
      });
    }
    return def.handler(parsed.data, call);
  }
}

/** Thrown by methods that need a WebSocket (subscriptions) when called over HTTP. */
export function requirePeer(call: CallContext): RpcPeer {
  if (!call.peer) throw new InvalidRequestError("this method needs a WebSocket connection (subscriptions are per connection)");
  return call.peer;
}
