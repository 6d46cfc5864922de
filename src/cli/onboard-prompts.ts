/**
 * The questions of interactive `openclaw onboard` (@clack/prompts), asked only for what no flag
 * answered. Returns the raw answers for ops/onboard-input.ts to validate; undefined when the
 * person cancelled (Ctrl-C), in which case nothing has been written.
 */
import { confirm, isCancel, password, select, text } from "@clack/prompts";
import { DEFAULT_MODEL_REF } from "../providers/registry.ts";
import { defaultWorkspace } from "../config/paths.ts";
import { TELEGRAM_TOKEN } from "../ops/onboard-input.ts";

/** thrown by `answer` when a prompt was cancelled; caught below (a control-flow marker, not an error) */
class Cancelled {}

function answer<T>(v: T | symbol): Exclude<T, symbol> {
  if (isCancel(v)) throw new Cancelled();
  return v as Exclude<T, symbol>;
}

const portCheck = (v: string | undefined) => (/^\d+$/.test(v ?? "") && Number(v) >= 1 && Number(v) <= 65535 ? undefined : "a port number 1-65535");
const urlCheck = (v: string | undefined) => (/^https?:\/\/\S+$/.test(v ?? "") && URL.canParse(v ?? "") ? undefined : "an http(s) URL, such as http://127.0.0.1:11434/v1");
const required = (what: string) => (v: string | undefined) => (v && v.trim() ? undefined : `${what} is required`);

export async function askOnboarding(given: Record<string, unknown>, env: Record<string, string | undefined>): Promise<Record<string, unknown> | undefined> {
  const a: Record<string, unknown> = { ...given };
  try {
    a.provider ??= answer(await select({
      message: "Which model provider?",
      options: [
        { value: "anthropic", label: "Anthropic", hint: "Claude, with an API key" },
        { value: "openai-compatible", label: "OpenAI-compatible", hint: "Ollama, vLLM, OpenRouter, OpenAI…" },
      ],
    }));
    if (a.provider === "anthropic") {
      if (!a.apiKey && !a.apiKeyEnv && env.ANTHROPIC_API_KEY) {
        const useEnv = answer(await confirm({ message: "Use ANTHROPIC_API_KEY from the environment? (stored as ${ANTHROPIC_API_KEY}, not its value)" }));
        if (useEnv) a.apiKeyEnv = "ANTHROPIC_API_KEY";
      }
      if (!a.apiKey && !a.apiKeyEnv) a.apiKey = answer(await password({ message: "Anthropic API key", validate: required("the API key") }));
      a.model ??= answer(await text({ message: "Model", initialValue: DEFAULT_MODEL_REF, validate: required("a model") }));
    } else {
      a.baseUrl ??= answer(await text({ message: "Base URL of the OpenAI-compatible API", placeholder: "http://127.0.0.1:11434/v1", validate: urlCheck }));
      a.model ??= answer(await text({ message: "Model name (as the server lists it)", validate: required("a model") }));
      if (!a.apiKey && !a.apiKeyEnv) {
        const key = answer(await password({ message: "API key (empty for none)" }));
        if (key && key.trim()) a.apiKey = key.trim();
      }
    }
    if (a.telegramBotToken === undefined) {
      const tg = answer(await password({
        message: "Telegram bot token from @BotFather (empty to skip)",
        validate: (v) => (!v || TELEGRAM_TOKEN.test(v.trim()) ? undefined : "a bot token looks like 123456789:AA…"),
      }));
      if (tg && tg.trim()) a.telegramBotToken = tg.trim();
    }
    a.port ??= Number(answer(await text({ message: "Gateway port", initialValue: "18789", validate: portCheck })));
    if (a.workspace === undefined) {
      const ws = answer(await text({ message: "Agent workspace", initialValue: defaultWorkspace(), validate: required("a workspace path") }));
      if (ws.trim() !== defaultWorkspace()) a.workspace = ws.trim(); // the default stays implicit (it follows the state dir)
    }
    if (!a.installDaemon) a.installDaemon = answer(await confirm({ message: "Install the gateway as a service (systemd user unit / LaunchAgent)?", initialValue: false }));
  } catch (err) {
    if (err instanceof Cancelled) return undefined;
    throw err;
  }
  return a;
}
