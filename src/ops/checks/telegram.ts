/**
 * The Telegram bot token: present when the channel is configured; with `--deep`, `getMe` through
 * the configured apiRoot says whether Telegram accepts it. The token is part of the Bot API URL,
 * so no fetch error text is shown unredacted.
 */
import { errorMessage } from "../../core/errors.ts";
import { redact } from "../../core/secrets.ts";
import { resolveToken } from "../../channels/telegram/settings.ts";
import type { ApiKey } from "../../core/secrets.ts";
import { fail, ok, warn, type Check } from "./types.ts";

const DEFAULT_API_ROOT = "https://api.telegram.org";
const GETME_TIMEOUT_MS = 10_000;
const SET_TOKEN = "openclaw config set channels.telegram.botToken '${TELEGRAM_BOT_TOKEN}' (the token from @BotFather)";

async function getMe(apiRoot: string, token: ApiKey): Promise<{ status: number; body: { ok?: boolean; description?: string; result?: { username?: string } } }> {
  const res = await fetch(`${apiRoot.replace(/\/+$/, "")}/bot${token.reveal()}/getMe`, { signal: AbortSignal.timeout(GETME_TIMEOUT_MS) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as { ok?: boolean; description?: string; result?: { username?: string } } };
}

export const telegramCheck: Check = {
  id: "telegram",
  async run(ctx) {
    const tg = ctx.config.channels.telegram;
    if (!tg || tg.enabled === false) return ok("telegram", "the Telegram channel is not configured");
    let token: ApiKey | null;
    try {
      token = resolveToken(tg);
    } catch (err) {
      return fail("telegram", redact(errorMessage(err)), SET_TOKEN);
    }
    if (!token) return fail("telegram", "channels.telegram is configured but has no bot token (botToken, tokenFile or TELEGRAM_BOT_TOKEN)", SET_TOKEN);
    if (!ctx.deep) return ok("telegram", "a Telegram bot token is set (not verified; --deep calls getMe)");
    const apiRoot = tg.apiRoot ?? DEFAULT_API_ROOT;
    try {
      const r = await getMe(apiRoot, token);
      if (r.status === 200 && r.body.ok === true) return ok("telegram", `Telegram accepted the bot token: @${r.body.result?.username ?? "?"}`);
      if (r.status === 401 || r.status === 404) return fail("telegram", `the bot token was refused by Telegram (getMe: ${r.status} ${redact(r.body.description ?? "")})`.trim(), SET_TOKEN);
      return warn("telegram", `getMe at ${apiRoot} answered ${r.status} ${redact(r.body.description ?? "")}; the token could not be verified`, "try again later: openclaw doctor --deep");
    } catch (err) {
      return warn("telegram", `cannot reach ${apiRoot} for getMe (${redact(errorMessage(err))}); the token could not be verified`, "check the network (or channels.telegram.apiRoot), then openclaw doctor --deep");
    }
  },
};
