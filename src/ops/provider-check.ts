/**
 * The onboarding key check: one minimal, free request to the provider with the key about to be
 * stored. Anthropic: the SDK's `models.list` (GET /v1/models, one item); an OpenAI-compatible
 * server: GET {baseUrl}/models. A 401/403 is KeyRefusedError ("the key was refused by …"); any
 * other failure (unreachable, another status) is ProviderCheckError naming the host and the way
 * past it (`--skip-check`). Never retries; never puts the key in a message (redact()).
 */
import { Anthropic, APIError } from "@anthropic-ai/sdk";
import { ProviderError, errorMessage } from "../core/errors.ts";
import { redact, type ApiKey } from "../core/secrets.ts";

/** The check could not confirm the key (network, unexpected status). */
export class ProviderCheckError extends ProviderError {
  static override readonly type: string = "ProviderCheckError";
}

/** The provider answered 401/403: the key is wrong, revoked or lacks access. */
export class KeyRefusedError extends ProviderCheckError {
  static override readonly type: string = "KeyRefusedError";
}

export interface ProviderCheckInput {
  /** "anthropic" or the configured id of an OpenAI-compatible provider */
  provider: string;
  api: "anthropic-messages" | "openai-completions";
  baseUrl: string;
  apiKey?: ApiKey;
  /** default 15 s */
  timeoutMs?: number;
}

export interface ProviderCheckResult {
  provider: string;
  /** what the provider offered (the first model id), for the summary */
  detail: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const SKIP = "pass --skip-check to write the config without checking";

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function statusFailure(input: ProviderCheckInput, status: number, text: string): Error {
  const why = redact(text).slice(0, 200);
  if (status === 401 || status === 403) {
    return new KeyRefusedError(`the key was refused by ${input.provider} (HTTP ${status}${why ? `: ${why}` : ""}); check the key and run onboard again`, {
      details: { provider: input.provider, status },
    });
  }
  return new ProviderCheckError(`${input.provider} at ${hostOf(input.baseUrl)} answered HTTP ${status} to the key check${why ? ` (${why})` : ""}; check --base-url, or ${SKIP}`, {
    details: { provider: input.provider, status },
  });
}

function unreachable(input: ProviderCheckInput, err: unknown): Error {
  return new ProviderCheckError(`cannot reach ${input.provider} at ${hostOf(input.baseUrl)}: ${redact(errorMessage(err))}; check the network and --base-url, or ${SKIP}`, {
    details: { provider: input.provider },
  });
}

async function checkAnthropic(input: ProviderCheckInput, timeoutMs: number): Promise<ProviderCheckResult> {
  if (!input.apiKey) throw new ProviderCheckError(`no API key to check for ${input.provider}`);
  const client = new Anthropic({ apiKey: input.apiKey.reveal(), authToken: null, baseURL: input.baseUrl, maxRetries: 0, timeout: timeoutMs, logLevel: "off" });
  try {
    const page = await client.models.list({ limit: 1 });
    return { provider: input.provider, detail: page.data[0]?.id ?? "no models listed" };
  } catch (err) {
    if (err instanceof APIError && typeof err.status === "number") {
      const body = err.error as { error?: { message?: string } } | undefined;
      throw statusFailure(input, err.status, body?.error?.message ?? "");
    }
    throw unreachable(input, err);
  }
}

async function checkOpenAI(input: ProviderCheckInput, timeoutMs: number): Promise<ProviderCheckResult> {
  const url = `${input.baseUrl.replace(/\/+$/, "")}/models`;
  const headers: Record<string, string> = { accept: "application/json" };
  if (input.apiKey) headers.authorization = `Bearer ${input.apiKey.reveal()}`;
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
  } catch (err) {
    throw unreachable(input, err);
  }
  const text = await res.text().catch(() => "");
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {
      // not JSON: the raw text (capped) is the reason
    }
    throw statusFailure(input, res.status, message);
  }
  let first = "no models listed";
  try {
    first = (JSON.parse(text) as { data?: { id?: string }[] }).data?.[0]?.id ?? first;
  } catch {
    // a 2xx without a model list still proves the key was accepted
  }
  return { provider: input.provider, detail: first };
}

/** Throws KeyRefusedError / ProviderCheckError; resolves when the provider accepted the key. */
export function checkProviderKey(input: ProviderCheckInput): Promise<ProviderCheckResult> {
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return input.api === "anthropic-messages" ? checkAnthropic(input, timeoutMs) : checkOpenAI(input, timeoutMs);
}
