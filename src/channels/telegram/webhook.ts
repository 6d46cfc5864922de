/**
 * Webhook mode: Telegram POSTs each update to `webhookPath` on the gateway (no gateway auth; this
 * route checks its own secret). The `X-Telegram-Bot-Api-Secret-Token` header is compared with the
 * configured secret in constant time (`ApiKey.equals`). 200 is answered
 * only once the update is stored; a storage failure answers 500 so Telegram retries. A repeated
 * update_id is answered 200 and not handled again.
 */
import type { Update } from "grammy/types";
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { ApiKey } from "../../core/secrets.ts";
import type { ChannelRoute } from "../channel.ts";

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";

export interface WebhookOptions {
  path: string;
  secret: ApiKey;
  maxBodyBytes: number;
  log: Logger;
  accept: (update: Update) => Promise<boolean>;
}

const text = (status: number, body: string) => new Response(body, { status, headers: { "content-type": "text/plain" } });

export function webhookRoute(o: WebhookOptions): ChannelRoute {
  return {
    method: "POST",
    path: o.path,
    async handle(request: Request): Promise<Response> {
      if (!o.secret.equals(request.headers.get(SECRET_HEADER))) {
        o.log.warn("telegram webhook: wrong or missing secret token");
        return text(401, "unauthorized");
      }
      const declared = Number(request.headers.get("content-length") ?? 0);
      if (declared > o.maxBodyBytes) return text(413, "payload too large");
      const raw = await request.text();
      if (raw.length > o.maxBodyBytes) return text(413, "payload too large");
      let update: Update;
      try {
        update = JSON.parse(raw) as Update;
      } catch {
        return text(400, "invalid JSON");
      }
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
