/**
 * The channel's settings, resolved once from the config: the schema's `channels.telegram` keys,
 * including a few of our own (declared in config/schema.ts):
 *   agentId            which agent answers (default: "main")
 *   editThrottleMs     minimum gap between message edits in one chat (default 1000)
 *   pollTimeoutSeconds getUpdates long-poll timeout (default 30)
 *   watchdogMs         restart a poll that has not completed after this long (default 120000)
 * The token comes from botToken (TELEGRAM_BOT_TOKEN is merged into it by config loading) or the
 * first line of tokenFile; it is held in an ApiKey and never logged.
 */
import { readFileSync } from "node:fs";
import type { Config, TelegramConfig } from "../../config/schema.ts";
import { expandHome } from "../../config/paths.ts";
import { ConfigError } from "../../core/errors.ts";
import { ApiKey } from "../../core/secrets.ts";
import type { AccessConfig } from "./access.ts";
import type { DmScope } from "./sessions.ts";
import type { StreamMode } from "./stream.ts";


export interface TelegramSettings {
  token: ApiKey;
  apiRoot: string;
  access: AccessConfig;
  mentionPatterns: string[];
  mode: StreamMode;
  chunkLimit: number;
  mediaMaxBytes: number;
  webhook: { url: string; secret: ApiKey; path: string } | null;
  agentId: string;
  dmScope: DmScope;
  mainKey: string;
  editThrottleMs: number;
  pollTimeoutSeconds: number;
  watchdogMs: number;
}

export function resolveToken(tg: TelegramConfig): ApiKey | null {
  if (tg.botToken) return new ApiKey(tg.botToken.trim());
  if (tg.tokenFile) {
    let raw: string;
    try {
      raw = readFileSync(expandHome(tg.tokenFile), "utf8");
    } catch (err) {
      throw new ConfigError(`channels.telegram.tokenFile: cannot read ${tg.tokenFile} (${(err as NodeJS.ErrnoException).code ?? "error"}); fix the path or set channels.telegram.botToken`);
    }
    const token = raw.split("\n")[0]!.trim();
    if (!token) throw new ConfigError(`channels.telegram.tokenFile: ${tg.tokenFile} is empty`);
    return new ApiKey(token);
  }
  return null;
}

export function resolveSettings(config: Config, token: ApiKey): TelegramSettings {
  const tg = config.channels.telegram!;
  const mode = typeof tg.streaming === "string" ? tg.streaming : tg.streaming.mode;
  let webhook: TelegramSettings["webhook"] = null;
  if (tg.webhookUrl) {
    if (!tg.webhookSecret) throw new ConfigError("channels.telegram.webhookUrl needs channels.telegram.webhookSecret (1-256 characters of A-Z a-z 0-9 _ -), so forged updates can be refused");
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(tg.webhookSecret)) throw new ConfigError("channels.telegram.webhookSecret: use 1-256 characters of A-Z a-z 0-9 _ - (Telegram's rule)");
    webhook = { url: tg.webhookUrl, secret: new ApiKey(tg.webhookSecret), path: tg.webhookPath };
  }
  return {
    token,
    apiRoot: (tg.apiRoot ?? "https://api.telegram.org").replace(/\/$/, ""),
    access: {
      dmPolicy: tg.dmPolicy, allowFrom: tg.allowFrom, groupPolicy: tg.groupPolicy, groups: tg.groups,
      ...(tg.groupAllowFrom ? { groupAllowFrom: tg.groupAllowFrom } : {}), requireMention: tg.requireMention,
    },
    mentionPatterns: tg.mentionPatterns,
    mode,
    chunkLimit: tg.textChunkLimit,
    mediaMaxBytes: Math.floor(tg.mediaMaxMb * 1024 * 1024),
    webhook,
    agentId: tg.agentId ?? "main",
    dmScope: config.session.dmScope,
    mainKey: config.session.mainKey,
    editThrottleMs: tg.editThrottleMs ?? 1000,
    pollTimeoutSeconds: tg.pollTimeoutSeconds ?? 30,
    watchdogMs: tg.watchdogMs ?? 120_000,
  };
}

export function modelLabel(config: Config, agentId: string): string {
  const sel = config.agents.entries[agentId]?.model ?? config.agents.defaults.model;
  if (!sel) return "default";
  return typeof sel === "string" ? sel : sel.primary;
}
