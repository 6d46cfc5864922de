/**
 * Webhook mode: Telegram POSTs each update to `webhookPath` on the gateway (no gateway auth; this
 * route checks its own secret). Per request, in order:
 *   1. a source (or everyone) that failed the secret check too often gets 429 + retry-after
 *      (core/ratelimit.ts, the gateway's limiter with the numbers below), before the secret is
 *      looked at;
 *   2. the `X-Telegram-Bot-Api-Secret-Token` header is compared in constant time (`ApiKey.equals`);
 *      wrong or missing → 401, counted as a failure; a right one clears its source;
 *   3. the body is read with a cap (core/body readBodyText → 413) and parsed bounded and
 *      prototype-safe (core/json parseJson → 400);
 *   4. 200 only once the update is stored; a storage failure answers 500 so Telegram retries.
 * A repeated update_id is answered 200 and not handled again.
 */
import type { Update } from "grammy/types";
import { readBodyText } from "../../core/body.ts";
import { errorMessage, PayloadTooLargeError } from "../../core/errors.ts";
import { parseJson } from "../../core/json.ts";
import type { Logger } from "../../core/log.ts";
import { AuthRateLimiter, type RateLimitOptions } from "../../core/ratelimit.ts";
import type { ApiKey } from "../../core/secrets.ts";
import type { ChannelRoute } from "../channel.ts";

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";
/** Telegram updates are shallow; anything deeper is not one. */
const MAX_DEPTH = 32;

/**
 * Past 4 free failures from one source, each further one blocks it for a minute; 50 failures
 * from all sources within a minute close the route for a minute. Telegram retries, so a blocked
 * update is delayed, not lost.
 */
export const WEBHOOK_RATE_LIMIT: Partial<RateLimitOptions> = {
  freeFailures: 4, baseDelayMs: 60_000, maxDelayMs: 60_000, globalFailures: 50, globalWindowMs: 60_000,
};

export interface WebhookOptions {
  path: string;
  secret: ApiKey;
  maxBodyBytes: number;
  log: Logger;
  accept: (update: Update) => Promise<boolean>;
  /** over WEBHOOK_RATE_LIMIT */
  limits?: Partial<RateLimitOptions>;
}

const text = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { "content-type": "text/plain", ...headers } });

export function webhookRoute(o: WebhookOptions): ChannelRoute {
  const limiter = new AuthRateLimiter({ ...WEBHOOK_RATE_LIMIT, ...o.limits });
  return {
    method: "POST",
    path: o.path,
    async handle(request: Request, peer?: { address?: string }): Promise<Response> {
      const source = peer?.address ?? "unknown";
      const wait = limiter.retryAfterMs(source);
      if (wait > 0) return text(429, "too many failed secret checks; retry later", { "retry-after": String(Math.ceil(wait / 1000)) });
      if (!o.secret.equals(request.headers.get(SECRET_HEADER))) {
        limiter.failure(source);
        o.log.warn("telegram webhook: wrong or missing secret token", { source });
        return text(401, "unauthorized");
      }
      limiter.success(source);
      let raw: string;
      try {
        raw = await readBodyText(request, o.maxBodyBytes, "the Telegram webhook body limit");
      } catch (err) {
        if (err instanceof PayloadTooLargeError) return text(413, "payload too large");
        return text(400, "could not read the body");
      }
      const parsed = parseJson(raw, MAX_DEPTH);
      if (!parsed.ok) return text(400, parsed.reason === "depth" ? "JSON nested too deeply" : "invalid JSON");
      const update = parsed.value as Update | null;
      if (!update || typeof update !== "object" || !Number.isSafeInteger(update.update_id) || update.update_id < 0) return text(400, "not a Telegram update");
      try {
        await o.accept(update);
      } catch (err) {
        o.log.error("telegram webhook: could not store the update", { updateId: update.update_id, err: errorMessage(err) });
        return text(500, "storage failed");
      }
      return new Response(JSON.stringify({ ok: true }), { status: 200, headers: { "content-type": "application/json" } });
    },
  };
}
