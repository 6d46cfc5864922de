/**
 * Model references and the configured providers. A ref is `provider/model`
 * (`anthropic/claude-sonnet-4-5`, `openrouter/meta-llama/llama-3.1-8b`: the provider is the part
 * before the first `/`). Providers come from `models.providers.<id>.{baseUrl, apiKey, api, …}`;
 * `anthropic`, `openai`, `openrouter`, `ollama`, `lmstudio` and `vllm` work without a `baseUrl`.
 * `agents.defaults.model` (or an agent entry's) is a ref or `{ primary, fallbacks }`.
 * `createModelRouter(config)` is a Provider over all of them: `request.model` names the ref; ""
 * or the primary ref runs the configured chain with fallbacks, any other ref runs that model only.
 */
import { ConfigError } from "../core/errors.ts";
import { createLogger, type Logger } from "../core/log.ts";
import { ApiKey } from "../core/secrets.ts";
import type { Config, ProviderConfig } from "../config/schema.ts";
import type { Provider, ProviderEvent, ProviderFailure, ProviderRequest } from "./types.ts";
import type { RetrySettings } from "./retry.ts";
import { AnthropicProvider } from "./anthropic.ts";
import { OpenAICompatibleProvider } from "./openai-compatible.ts";
import { streamChain, type ChainLink } from "./fallback.ts";

export const DEFAULT_MODEL_REF = "anthropic/claude-sonnet-4-5";
export type ProviderApi = "anthropic-messages" | "openai-completions";

interface Builtin {
  api: ProviderApi;
  baseUrl: string;
  needsKey: boolean;
}

export const BUILTIN_PROVIDERS: Readonly<Record<string, Builtin>> = {
  anthropic: { api: "anthropic-messages", baseUrl: "https://api.anthropic.com", needsKey: true },
  openai: { api: "openai-completions", baseUrl: "https://api.openai.com/v1", needsKey: true },
  openrouter: { api: "openai-completions", baseUrl: "https://openrouter.ai/api/v1", needsKey: true },
  ollama: { api: "openai-completions", baseUrl: "http://127.0.0.1:11434/v1", needsKey: false },
  lmstudio: { api: "openai-completions", baseUrl: "http://127.0.0.1:1234/v1", needsKey: false },
  vllm: { api: "openai-completions", baseUrl: "http://127.0.0.1:8000/v1", needsKey: false },
};

/** Environment variables that config loading merges into `models.providers.<id>.apiKey`. */
const MERGED_ENV: Readonly<Record<string, string>> = { anthropic: "ANTHROPIC_API_KEY" };

/** What to tell a user whose provider has no key (the CLI prints this too). */
export function missingKeyMessage(providerId: string): string {
  const env = MERGED_ENV[providerId];
  if (env) return `no API key for provider ${providerId}: set ${env} or models.providers.${providerId}.apiKey in ~/.openclaw/openclaw.json`;
  const suggested = `${providerId.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_API_KEY`;
  return `no API key for provider ${providerId}: set models.providers.${providerId}.apiKey in ~/.openclaw/openclaw.json (for example "apiKey": "\${${suggested}}")`;
}

export class MissingApiKeyError extends ConfigError {
  static override readonly type: string = "MissingApiKeyError";
  readonly providerId: string;
  constructor(providerId: string) {
    super(missingKeyMessage(providerId), { details: { provider: providerId } });
    this.providerId = providerId;
  }
}

export interface ModelRef {
  provider: string;
  model: string;
}

/** `provider/model` → parts. A bare model id takes `defaultProvider`. */
export function parseModelRef(ref: string, defaultProvider = "anthropic"): ModelRef {
  const trimmed = ref.trim();
  const slash = trimmed.indexOf("/");
  if (slash === -1) {
    if (!trimmed) throw new ConfigError(`empty model reference; use provider/model, e.g. ${DEFAULT_MODEL_REF}`);
    return { provider: defaultProvider, model: trimmed };
  }
  const provider = trimmed.slice(0, slash);
  const model = trimmed.slice(slash + 1);
  if (!/^[A-Za-z0-9._-]+$/.test(provider) || !model) throw new ConfigError(`invalid model reference "${ref}"; use provider/model, e.g. ${DEFAULT_MODEL_REF}`);
  return { provider, model };
}

/** The primary model and its fallbacks, from the agent entry if it sets one, else the defaults. */
export function modelSelection(config: Config, agentId?: string): { primary: string; fallbacks: string[] } {
  const sel = (agentId ? config.agents.entries[agentId]?.model : undefined) ?? config.agents.defaults.model ?? DEFAULT_MODEL_REF;
  if (typeof sel === "string") return { primary: sel, fallbacks: [] };
  return { primary: sel.primary, fallbacks: [...(sel.fallbacks ?? [])] };
}

/** Provider ids a ref may name: the built-ins and every configured one. */
export function knownProviderIds(config: Config): string[] {
  return [...new Set([...Object.keys(BUILTIN_PROVIDERS), ...Object.keys(config.models.providers)])].sort();
}

export interface ProviderBuildOptions {
  log?: Logger;
  /** backoff tuning (tests inject a fake sleep here) */
  retry?: Partial<RetrySettings>;
}

function apiKeyOf(pc: ProviderConfig | undefined): ApiKey | undefined {
  const v: unknown = pc?.apiKey;
  if (v instanceof ApiKey) return v;
  return typeof v === "string" && v.length > 0 ? new ApiKey(v) : undefined;
}

/** Builds the provider `id` from config. Throws ConfigError (MissingApiKeyError for a missing key). */
export function createProvider(config: Config, id: string, opts: ProviderBuildOptions = {}): Provider {
  const pc = config.models.providers[id];
  const builtin = BUILTIN_PROVIDERS[id];
  if (!pc && !builtin) {
    throw new ConfigError(
      `unknown provider "${id}": known providers are ${knownProviderIds(config).join(", ")}; add models.providers.${id}.baseUrl (and api) to ~/.openclaw/openclaw.json`,
      { details: { provider: id } },
    );
  }
  const api: ProviderApi = pc?.api ?? builtin?.api ?? "openai-completions";
  const baseUrl = pc?.baseUrl ?? builtin?.baseUrl;
  if (!baseUrl) throw new ConfigError(`models.providers.${id}.baseUrl is required (e.g. http://127.0.0.1:8000/v1)`, { details: { provider: id } });
  const apiKey = apiKeyOf(pc);
  const needsKey = api === "anthropic-messages" || (builtin?.needsKey === true && pc?.baseUrl === undefined);
  if (!apiKey && needsKey) throw new MissingApiKeyError(id);
  const log = (opts.log ?? createLogger("providers")).child(id);
  const common = {
    id,
    log,
    ...(pc?.timeoutMs !== undefined ? { timeoutMs: pc.timeoutMs } : {}),
    ...(pc?.maxRetries !== undefined ? { maxRetries: pc.maxRetries } : {}),
    ...(pc?.headers ? { headers: pc.headers } : {}),
    ...(opts.retry ? { retry: opts.retry } : {}),
  };
  if (api === "anthropic-messages") {
    // the SDK appends /v1/messages itself; accept a baseUrl written with /v1 too
    return new AnthropicProvider({ ...common, apiKey: apiKey!, baseURL: baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "") });
  }
  return new OpenAICompatibleProvider({ ...common, baseUrl, ...(apiKey ? { apiKey } : {}) });
}

export interface ResolvedModel {
  ref: string;
  providerId: string;
  model: string;
  provider: Provider;
}

export interface ModelRouter extends Provider {
  /** the primary `provider/model` ref */
  readonly defaultModel: string;
  readonly fallbacks: readonly string[];
  /** Throws ConfigError for an unknown provider or a missing key. */
  resolve(ref: string): ResolvedModel;
}

export function createModelRouter(config: Config, opts: ProviderBuildOptions & { agentId?: string } = {}): ModelRouter {
  const { primary, fallbacks } = modelSelection(config, opts.agentId);
  const log = opts.log ?? createLogger("providers");
  const defaultProvider = parseModelRef(primary).provider;
  const built = new Map<string, Provider | ConfigError>();
  const providerFor = (id: string): Provider => {
    let p = built.get(id);
    if (!p) {
      try {
        p = createProvider(config, id, { ...opts, log });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        p = err;
      }
      built.set(id, p);
    }
    if (p instanceof ConfigError) throw p;
    return p;
  };
  const resolve = (ref: string): ResolvedModel => {
    const { provider, model } = parseModelRef(ref, defaultProvider);
    return { ref: `${provider}/${model}`, providerId: provider, model, provider: providerFor(provider) };
  };
  const link = (ref: string): ChainLink => ({
    ref,
    resolve: () => {
      try {
        const r = resolve(ref);
        return { provider: r.provider, model: r.model };
      } catch (err) {
        return { error: configFailure(err) };
      }
    },
  });
  return {
    id: "router",
    defaultModel: primary,
    fallbacks,
    resolve,
    stream(request: ProviderRequest, signal?: AbortSignal): AsyncIterable<ProviderEvent> {
      const asked = request.model.trim();
      const chain = asked === "" || asked === primary ? [primary, ...fallbacks] : [asked];
      return streamChain(chain.map(link), request, signal, log);
    },
  };
}

function configFailure(err: unknown): ProviderFailure {
  const message = err instanceof Error ? err.message : String(err);
  return { kind: err instanceof MissingApiKeyError ? "auth" : "config", message, retryable: false };
}
