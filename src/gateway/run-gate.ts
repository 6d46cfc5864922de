/**
 * Starting runs on behalf of gateway clients (JSON-RPC and the OpenAI endpoint): refuses new runs
 * while the gateway drains, bounds runs in flight per session, counts messages. The runtime does
 * the queueing and the idempotency (a repeated key returns the first run).
 */
import type { RunHandle, RunInput } from "../agent/types.ts";
import { RateLimitedError, UnavailableError } from "../core/errors.ts";
import type { GatewayRuntime } from "./deps.ts";
import type { GatewayMetrics } from "./metrics.ts";

export class RunGate {
  readonly #inFlight = new Map<string, number>();
  draining = false;

  constructor(
    private readonly runtime: GatewayRuntime,
    private readonly metrics: GatewayMetrics,
    private readonly maxPerSession: () => number,
  ) {}

  async start(input: RunInput & { sessionKey: string }): Promise<RunHandle> {
    if (this.draining) throw new UnavailableError("the gateway is shutting down; retry against the next instance");
    const key = input.sessionKey;
    const n = this.#inFlight.get(key) ?? 0;
    const max = this.maxPerSession();
    if (n >= max) {
      throw new RateLimitedError(`session ${key} already has ${n} runs in flight (limit ${max}); wait for one to finish`, {
        details: { retryAfterMs: 1000 },
      });
    }
    this.#inFlight.set(key, n + 1);
    let handle: RunHandle;
    try {
      handle = await this.runtime.start(input);
    } catch (err) {
      this.#release(key);
      throw err;
    }
    this.metrics.messages++;
    if (handle.deduplicated) this.#release(key);
    else void handle.done.finally(() => this.#release(key));
    return handle;
  }

  inFlight(sessionKey: string): number {
    return this.#inFlight.get(sessionKey) ?? 0;
  }

  #release(key: string): void {
    const n = (this.#inFlight.get(key) ?? 1) - 1;
    if (n <= 0) this.#inFlight.delete(key);
    else this.#inFlight.set(key, n);
  }
}
