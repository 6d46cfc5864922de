/**
 * Model fallbacks: try each `provider/model` of a chain in order. The next one is tried only when
 * the current one ended with a failure before any output reached the caller, and the failure is
 * one another model may not share: retryable (after the provider's own retries), or a per-provider
 * problem — no key / rejected key (`auth`), unknown provider (`config`), unknown model
 * (`not_found`). A 400, malformed output, an abort, or anything after output ends the stream
 * as is. When every model failed, the final error names each attempt.
 */
import type { Logger } from "../core/log.ts";
import type { Provider, ProviderEvent, ProviderFailure, ProviderRequest } from "./types.ts";
import { errorStop, failure, type StopEvent } from "./failure.ts";
import { forwardAttempt } from "./forward.ts";

const FAILOVER_KINDS = new Set(["auth", "config", "not_found"]);

export function shouldFailOver(error: ProviderFailure | undefined): boolean {
  return !!error && (error.retryable || FAILOVER_KINDS.has(error.kind));
}

export interface ChainLink {
  ref: string;
  /** the provider and the bare model id, or the configuration error that prevents using it */
  resolve(): { provider: Provider; model: string } | { error: ProviderFailure };
}

export async function* streamChain(chain: ChainLink[], request: ProviderRequest, signal: AbortSignal | undefined, log: Logger): AsyncGenerator<ProviderEvent> {
  const failures: Array<{ ref: string; error: ProviderFailure }> = [];
  for (const [i, link] of chain.entries()) {
    const last = i === chain.length - 1;
    const r = link.resolve();
    if ("error" in r) {
      failures.push({ ref: link.ref, error: r.error });
      if (!last && shouldFailOver(r.error)) continue;
      yield summarize(errorStop(r.error), failures);
      return;
    }
    const { stop: ended, output, held } = yield* forwardAttempt(r.provider.stream({ ...request, model: r.model }, signal));
    const stop = ended ?? errorStop(failure("malformed", `${link.ref}: stream ended without a stop event`, false));
    if (stop.stopReason === "error" && !output && !last && !signal?.aborted && shouldFailOver(stop.error)) {
      failures.push({ ref: link.ref, error: stop.error! });
      log.warn("model failed; trying the next fallback", { model: link.ref, next: chain[i + 1]!.ref, kind: stop.error!.kind });
      continue;
    }
    yield* held;
    if (stop.stopReason === "error" && stop.error) failures.push({ ref: link.ref, error: stop.error });
    yield summarize(stop, failures);
    return;
  }
}

/** With more than one failed model, the error message lists them all (the last one's kind wins). */
function summarize(stop: StopEvent, failures: Array<{ ref: string; error: ProviderFailure }>): StopEvent {
  if (failures.length < 2 || !stop.error) return stop;
  const message = `all models failed: ${failures.map((f) => `${f.ref}: ${f.error.message}`).join("; ")}`;
  return { ...stop, error: { ...stop.error, message } };
}
