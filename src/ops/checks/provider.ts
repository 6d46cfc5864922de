/**
 * Provider keys: every provider a configured agent's model chain names has its key (or needs
 * none). With `--deep`, one minimal request per provider (one token of output, no retries) tells
 * whether the key is accepted; "refused" is reported apart from "could not reach".
 */
import { agentIds } from "../../config/agents.ts";
import { ConfigError, errorMessage } from "../../core/errors.ts";
import { redact } from "../../core/secrets.ts";
import { createProvider, modelSelection, parseModelRef } from "../../providers/registry.ts";
import type { Provider } from "../../providers/types.ts";
import { fail, ok, warn, type Check, type CheckResult, type DoctorContext } from "./types.ts";

const DEEP_TIMEOUT_MS = 20_000;

/** provider id → the first model the config uses with it */
export function providersInUse(ctx: DoctorContext): Map<string, string> {
  const out = new Map<string, string>();
  for (const agent of agentIds(ctx.config)) {
    const sel = modelSelection(ctx.config, agent);
    for (const ref of [sel.primary, ...sel.fallbacks]) {
      try {
        const { provider, model } = parseModelRef(ref);
        if (!out.has(provider)) out.set(provider, model);
      } catch {
        // an invalid ref fails config validation already
      }
    }
  }
  return out;
}

/** One request with max one output token; null when the provider accepted it, else the failure. */
async function tryKey(provider: Provider, model: string): Promise<{ kind: string; message: string } | null> {
  const request = { model, system: "", messages: [{ role: "user" as const, content: [{ type: "text" as const, text: "ping" }] }], tools: [], maxTokens: 1 };
  for await (const ev of provider.stream(request, AbortSignal.timeout(DEEP_TIMEOUT_MS))) {
    if (ev.type === "stop") return ev.error && ev.stopReason === "error" ? { kind: ev.error.kind, message: ev.error.message } : ev.stopReason === "aborted" ? { kind: "timeout", message: `no answer within ${DEEP_TIMEOUT_MS / 1000} s` } : null;
  }
  return { kind: "malformed", message: "the stream ended without a stop event" };
}

export async function checkProvider(ctx: DoctorContext, id: string, model: string): Promise<CheckResult> {
  const cid = `provider:${id}`;
  let provider: Provider;
  try {
    provider = createProvider(ctx.config, id, { retry: { maxRetries: 0 } });
  } catch (err) {
    if (err instanceof ConfigError) return fail(cid, err.message, `set models.providers.${id}.apiKey, e.g. openclaw config set models.providers.${id}.apiKey '\${${id.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_API_KEY}'`);
    return fail(cid, `provider ${id} cannot be built: ${redact(errorMessage(err))}`);
  }
  const hasKey = ctx.config.models.providers[id]?.apiKey !== undefined;
  const what = hasKey ? "has an API key" : "needs no API key";
  if (!ctx.deep) return ok(cid, `provider ${id} ${what} (not verified; --deep sends one minimal request)`);
  const failure = await tryKey(provider, model);
  if (!failure) return ok(cid, `provider ${id} accepted a request for ${model}`);
  if (failure.kind === "auth") return fail(cid, `the key was refused by ${id}: ${redact(failure.message)}`, `set a valid key: openclaw config set models.providers.${id}.apiKey <key> (or the environment variable it names)`);
  return warn(cid, `provider ${id} could not be verified (${failure.kind}): ${redact(failure.message)}`, `check models.providers.${id}.baseUrl and the network; then openclaw doctor --deep`);
}

export const providerCheck: Check = {
  id: "provider",
  async run(ctx) {
    const results: CheckResult[] = [];
    for (const [id, model] of providersInUse(ctx)) results.push(await checkProvider(ctx, id, model));
    return results;
  },
};
