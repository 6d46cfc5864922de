/**
 * The protocol-neutral dispatcher: finds the method, checks the caller's scope, validates params
 * with the method's zod schema, runs the handler, and maps any failure to a `ClientError` (the one
 * mapping, client-error.ts). It knows nothing of request ids, batches or frames: codecs do that.
 * Methods live in a `Map`, so a method named `constructor` or `__proto__` is simply not found.
 */
import { ForbiddenError, InvalidParamsError, MethodNotFoundError, OpenClawError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { clientError, isMasked, type ClientError } from "../client-error.ts";
import type { CallContext, MethodDef } from "./method.ts";

export type Outcome = { ok: true; result: unknown } | { ok: false; error: ClientError };

export interface DispatcherOptions {
  log?: Logger;
  /** called once per call of a method in the table (unknown names are not observed: bounded labels) */
  observe?: (method: string, ms: number, ok: boolean) => void;
}

export class Dispatcher {
  readonly #methods = new Map<string, MethodDef>();
  constructor(
    methods: readonly MethodDef[],
    private readonly opts: DispatcherOptions = {},
  ) {
    for (const m of methods) {
      if (this.#methods.has(m.name)) throw new Error(`gateway method ${m.name} is defined twice`);
      this.#methods.set(m.name, m);
    }
  }

  /** The method names, in table order (for hello frames and docs). */
  names(): string[] {
    return [...this.#methods.keys()];
  }

  /** Never throws: every failure is an `{ok:false}` outcome with a safe, typed error. */
  async dispatch(method: string, params: unknown, ctx: CallContext): Promise<Outcome> {
    const started = performance.now();
    const def = this.#methods.get(method);
    try {
      if (!def) throw new MethodNotFoundError("Method not found", { details: { method: method.slice(0, 100) } });
      if (!ctx.scopes.has(def.scope)) {
        throw new ForbiddenError(`${def.name} needs the "${def.scope}" scope, which this connection's credential does not grant`);
      }
      const parsed = def.params.safeParse(params === undefined ? {} : params);
      if (!parsed.success) {
        throw new InvalidParamsError("Invalid params", {
          details: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
        });
      }
      const result = await def.handler(parsed.data, ctx);
      this.#done(def, method, ctx, started, "ok");
      return { ok: true, result };
    } catch (err) {
      this.#done(def, method, ctx, started, err instanceof OpenClawError ? err.name : "InternalError");
      if (isMasked(err)) this.opts.log?.error("rpc method failed", { method: method.slice(0, 100), error: err, stack: err instanceof Error ? err.stack : undefined });
      return { ok: false, error: clientError(err) };
    }
  }

  #done(def: MethodDef | undefined, method: string, ctx: CallContext, started: number, outcome: string): void {
    const ms = performance.now() - started;
    if (def) this.opts.observe?.(def.name, ms, outcome === "ok");
    // One debug line per WebSocket call (HTTP requests get theirs from the request logger).
    const log = this.opts.log;
    if (ctx.transport !== "ws" || !log?.enabled("debug")) return;
    log.debug("rpc", { method: method.slice(0, 100), outcome, ms: Math.round(ms * 100) / 100, peer: ctx.peer?.id, ip: ctx.ip });
  }
}
