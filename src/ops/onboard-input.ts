/**
 * What onboarding needs to know, whether it came from flags or from the prompts: one zod schema
 * (validated once, at the edge), and the config document it becomes. The key is either a value
 * (stored in the 0600 config) or the name of an environment variable (stored as `${NAME}`).
 */
import { isIP } from "node:net";
import { z } from "zod";
import { InvalidParamsError } from "../core/errors.ts";
import { BUILTIN_PROVIDERS, DEFAULT_MODEL_REF } from "../providers/registry.ts";
import type { JsonObject } from "../config/keypath.ts";

export const ONBOARD_PROVIDERS = ["anthropic", "openai-compatible"] as const;
/** the `models.providers.<id>` an OpenAI-compatible endpoint is configured under */
export const OPENAI_COMPATIBLE_ID = "openai-compatible";
export const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
export const TELEGRAM_TOKEN = /^\d+:[A-Za-z0-9_-]{20,}$/;

const httpUrl = z.string().refine((s) => /^https?:\/\/[^\s/]+/.test(s) && URL.canParse(s), "an http(s) URL such as http://127.0.0.1:11434/v1");

export const OnboardInputSchema = z
  .object({
    provider: z.enum(ONBOARD_PROVIDERS).default("anthropic"),
    apiKey: z.string().trim().min(1).optional(),
    apiKeyEnv: z.string().regex(ENV_NAME, "an environment variable name in capitals, such as ANTHROPIC_API_KEY").optional(),
    baseUrl: httpUrl.optional(),
    model: z.string().trim().min(1).optional(),
    telegramBotToken: z.string().trim().regex(TELEGRAM_TOKEN, "a bot token from @BotFather, like 123456789:AA…").optional(),
    port: z.number().int().min(1, "a port number 1-65535").max(65535, "a port number 1-65535").default(18789),
    bind: z
      .string()
      .trim()
      .refine((b) => ["loopback", "localhost", "lan"].includes(b) || isIP(b) !== 0, "loopback, lan, or an IP address of this machine")
      .default("loopback"),
    workspace: z.string().trim().min(1).optional(),
    skipCheck: z.boolean().default(false),
    reset: z.boolean().default(false),
    installDaemon: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    if (v.apiKey && v.apiKeyEnv) ctx.addIssue({ code: "custom", path: ["apiKeyEnv"], message: "give the key or the name of the variable holding it, not both" });
    if (v.provider === "anthropic" && !v.apiKey && !v.apiKeyEnv) {
      ctx.addIssue({ code: "custom", path: ["apiKey"], message: "anthropic needs an API key: pass --anthropic-api-key or --api-key-env NAME (or set ANTHROPIC_API_KEY)" });
    }
    if (v.provider === "openai-compatible" && !v.baseUrl) ctx.addIssue({ code: "custom", path: ["baseUrl"], message: "openai-compatible needs --base-url (e.g. http://127.0.0.1:11434/v1)" });
    if (v.provider === "openai-compatible" && !v.model) ctx.addIssue({ code: "custom", path: ["model"], message: "openai-compatible needs --model (the model name the server serves)" });
  });

export type OnboardInput = z.infer<typeof OnboardInputSchema>;

/** An answer onboarding cannot use (the CLI reports it as a usage error, exit 2). */
export class OnboardInputError extends InvalidParamsError {
  static override readonly type: string = "OnboardInputError";
}

const FLAG: Record<string, string> = {
  apiKey: "--anthropic-api-key / --api-key", apiKeyEnv: "--api-key-env", baseUrl: "--base-url", model: "--model",
  telegramBotToken: "--telegram-bot-token", port: "--port", bind: "--bind", workspace: "--workspace", provider: "--provider",
};

/** Parses raw answers; a bad one is an OnboardInputError naming the flag and what it expects (never the value). */
export function parseOnboardInput(raw: Record<string, unknown>): OnboardInput {
  const r = OnboardInputSchema.safeParse(raw);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${FLAG[String(i.path[0])] ?? String(i.path[0] ?? "input")}: ${i.message}`);
  throw new OnboardInputError(`onboard: ${lines.join("; ")}`, { details: { issues: lines } });
}

/** The provider id, the wire API, the base URL the check uses, and the model ref written to the config. */
export function providerPlan(input: OnboardInput, env: Record<string, string | undefined>): {
  id: string; api: "anthropic-messages" | "openai-completions"; baseUrl: string; modelRef: string;
} {
  if (input.provider === "anthropic") {
    // the gateway honours ANTHROPIC_BASE_URL when the file sets none (config/env.ts): check where it will go
    const baseUrl = input.baseUrl ?? env.ANTHROPIC_BASE_URL?.trim() ?? BUILTIN_PROVIDERS.anthropic!.baseUrl;
    const model = input.model ?? DEFAULT_MODEL_REF;
    return { id: "anthropic", api: "anthropic-messages", baseUrl: baseUrl || BUILTIN_PROVIDERS.anthropic!.baseUrl, modelRef: model.includes("/") ? model : `anthropic/${model}` };
  }
  const id = OPENAI_COMPATIBLE_ID;
  const model = input.model!;
  return { id, api: "openai-completions", baseUrl: input.baseUrl!, modelRef: model.startsWith(`${id}/`) ? model : `${id}/${model}` };
}

/** The config file onboarding writes. The gateway token is not in it (it lives in credentials/). */
export function onboardConfigDocument(input: OnboardInput, env: Record<string, string | undefined>, workspace?: string): JsonObject {
  const plan = providerPlan(input, env);
  const provider: JsonObject = {};
  if (input.apiKeyEnv) provider.apiKey = `\${${input.apiKeyEnv}}`;
  else if (input.apiKey) provider.apiKey = input.apiKey;
  if (input.baseUrl) provider.baseUrl = input.baseUrl;
  if (plan.api === "openai-completions") provider.api = "openai-completions";
  const doc: JsonObject = {
    gateway: { mode: "local", port: input.port, bind: input.bind, auth: { mode: "token" } },
    models: { providers: { [plan.id]: provider } },
    agents: { defaults: { model: plan.modelRef, ...(workspace ? { workspace } : {}) } },
  };
  if (input.telegramBotToken) doc.channels = { telegram: { enabled: true, botToken: input.telegramBotToken, dmPolicy: "pairing" } };
  return doc;
}
