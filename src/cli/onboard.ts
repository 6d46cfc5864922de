/**
 * `openclaw onboard`: from nothing to a configured home (config, gateway token, workspace files),
 * after checking the provider key with one real request. Interactive on a terminal; in scripts
 * `--non-interactive` with flags (or `--json`, which never prompts). What it does is
 * ops/onboard.ts; this file turns flags and answers into its input and prints its result.
 * Exit: 0 done (or already configured), 1 key refused / check failed / daemon not installed,
 * 2 bad flags.
 */
import { defineCommand } from "citty";
import { EXIT, UsageError, globals, output, reportError, warn } from "./output.ts";
import { parsePort } from "./gateway.ts";
import type { OnboardResult } from "../ops/onboard.ts";

const args = {
  "non-interactive": { type: "boolean", description: "ask nothing; take every answer from flags (needed without a terminal)" },
  provider: { type: "string", valueHint: "anthropic|openai-compatible", description: "model provider (default anthropic)" },
  "anthropic-api-key": { type: "string", description: "the Anthropic key (visible in the process list: prefer --api-key-env)" },
  "api-key": { type: "string", description: "the key of an openai-compatible provider (same caveat)" },
  "api-key-env": { type: "string", valueHint: "NAME", description: "store ${NAME} instead of the key; the key is read from $NAME for the check" },
  "base-url": { type: "string", description: "provider base URL (openai-compatible: required, e.g. http://127.0.0.1:11434/v1)" },
  model: { type: "string", description: "model (anthropic default anthropic/claude-sonnet-4-5; openai-compatible: required)" },
  "telegram-bot-token": { type: "string", description: "a bot token from @BotFather (enables Telegram, DMs need pairing)" },
  port: { type: "string", description: "gateway port (default 18789)" },
  bind: { type: "string", description: "loopback (default) | lan | an address" },
  workspace: { type: "string", description: "agent workspace (default <state dir>/workspace)" },
  "install-daemon": { type: "boolean", description: "install the gateway as a service afterwards" },
  "skip-check": { type: "boolean", description: "do not check the key with the provider" },
  reset: { type: "boolean", description: "replace an existing config (backed up to openclaw.json.bak-<ts> first)" },
} as const;

type Args = { [K in keyof typeof args]?: (typeof args)[K]["type"] extends "boolean" ? boolean : string };

/** Flags → raw answers (only the flags given). */
function fromFlags(a: Args, env: Record<string, string | undefined>, interactive: boolean): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => {
    if (v !== undefined) raw[k] = v;
  };
  put("provider", a.provider);
  put("apiKey", a["anthropic-api-key"] ?? a["api-key"]);
  put("apiKeyEnv", a["api-key-env"]);
  put("baseUrl", a["base-url"]);
  put("model", a.model);
  put("telegramBotToken", a["telegram-bot-token"]);
  put("port", a.port !== undefined ? parsePort(a.port) : undefined);
  put("bind", a.bind);
  put("workspace", a.workspace);
  put("skipCheck", a["skip-check"] === true);
  put("reset", a.reset === true);
  if (a["install-daemon"]) put("installDaemon", true);
  // scripts: a key already in the environment is referenced, never copied into the file
  const anthropic = (raw.provider ?? "anthropic") === "anthropic";
  if (!interactive && anthropic && raw.apiKey === undefined && raw.apiKeyEnv === undefined && env.ANTHROPIC_API_KEY) raw.apiKeyEnv = "ANTHROPIC_API_KEY";
  return raw;
}

function summary(r: OnboardResult): string {
  const lines: string[] = [];
  if (!r.changed) {
    lines.push(`already configured: ${r.configPath} exists, nothing changed (openclaw onboard --reset starts over; the old config is backed up)`);
    if (r.problem) lines.push(`but the config does not load: ${r.problem}`);
  } else {
    lines.push(`OpenClaw is set up in ${r.stateDir}`);
    lines.push(`  config     ${r.configPath} (mode 0600)`);
    if (r.backupPath) lines.push(`  backup     ${r.backupPath} (the previous config)`);
    if (r.token) lines.push(`  token      ${r.token.path} (${r.token.created ? "generated" : "kept"}; clients send it as Authorization: Bearer …)`);
    if (r.workspace) {
      const kept = r.workspace.kept.length ? `; kept ${r.workspace.kept.join(", ")}` : "";
      lines.push(`  workspace  ${r.workspace.path} (${r.workspace.seeded.length ? `seeded ${r.workspace.seeded.join(", ")}` : "nothing to seed"}${kept})`);
    }
    lines.push(`  key check  ${r.check.status === "ok" ? `${r.check.provider} accepted the key` : "skipped (--skip-check)"}`);
  }
  if (r.daemon) lines.push(`  daemon     ${r.daemon.message}`);
  lines.push("", `next: ${r.next}`, `dashboard: ${r.dashboardUrl}`);
  return lines.join("\n");
}

function finish(r: OnboardResult): number {
  output(() => summary(r), { ...r });
  return r.daemon && !r.daemon.ok ? EXIT.error : EXIT.ok;
}

/** The whole command; `forceInteractive` is bare `openclaw` on a terminal. Returns the exit code. */
export async function runOnboard(a: Args, forceInteractive = false): Promise<number> {
  const env = process.env;
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const interactive = forceInteractive || (!a["non-interactive"] && !globals().json);
  if (interactive && !tty) {
    throw new UsageError("onboard asks questions and needs a terminal; in scripts pass --non-interactive with --anthropic-api-key or --api-key-env NAME (see openclaw onboard --help)");
  }
  const ops = await import("../ops/onboard.ts");
  const { OnboardInputError, parseOnboardInput } = await import("../ops/onboard-input.ts");
  if (!a.reset) {
    const done = await ops.alreadyOnboarded({ installDaemon: a["install-daemon"] === true });
    if (done) return finish(done);
  }
  let raw = fromFlags(a, env, interactive);
  const prompts = interactive ? await import("@clack/prompts") : undefined;
  if (prompts) {
    prompts.intro("OpenClaw onboarding");
    const asked = await (await import("./onboard-prompts.ts")).askOnboarding(raw, env);
    if (!asked) {
      prompts.cancel("onboarding cancelled; nothing was written");
      return EXIT.error;
    }
    raw = asked;
  }
  let input;
  try {
    input = parseOnboardInput(raw);
  } catch (err) {
    throw err instanceof OnboardInputError ? new UsageError(err.message) : err;
  }
  if (a["anthropic-api-key"] !== undefined || a["api-key"] !== undefined) {
    warn("a key given on the command line is visible to other local users in the process list; --api-key-env NAME (or the interactive prompt) keeps it out");
  }
  if (a["telegram-bot-token"] !== undefined) {
    warn("a bot token given on the command line is visible to other local users in the process list; TELEGRAM_BOT_TOKEN in the gateway's environment (or the interactive prompt) keeps it out");
  }
  const spin = prompts && !input.skipCheck ? prompts.spinner() : undefined;
  spin?.start(`checking the key with ${input.provider}`);
  try {
    const r = await ops.onboard(input);
    spin?.stop(r.check.status === "ok" ? `${r.check.provider} accepted the key` : "done");
    prompts?.outro("done");
    return finish(r);
  } catch (err) {
    const { ProviderCheckError } = await import("../ops/provider-check.ts");
    spin?.error(err instanceof ProviderCheckError ? "the key check failed" : "onboarding failed");
    if (err instanceof OnboardInputError) throw new UsageError(err.message);
    const code = reportError(err);
    // the check runs before the first write; a later failure may have written part of the home
    if (err instanceof ProviderCheckError && !globals().json) process.stderr.write("nothing was written\n");
    return code;
  }
}

export const command = defineCommand({
  meta: { name: "onboard", description: "Set up OpenClaw: provider key (checked), gateway token, config, workspace" },
  args,
  async run({ args: a }) {
    process.exitCode = await runOnboard(a as Args);
  },
});
