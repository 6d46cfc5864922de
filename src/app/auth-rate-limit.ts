/**
 * `gateway.auth.rateLimit` → the gateway's failed-auth limiter (core/ratelimit.ts). OpenClaw's keys
 * map onto ours: `maxAttempts` failures are free, then each failure blocks the source for a doubling
 * delay up to `lockoutMs`; a source quiet for `windowMs` (never less than the lockout) is forgotten.
 * `maxEntries` bounds the table of sources; `globalFailures` per `globalWindowMs` caps all sources
 * together. `exemptLoopback: true` (OpenClaw's default) is refused politely: loopback is one source
 * and is always counted, because any web page the user opens can reach it.
 */
import type { Config } from "../config/schema.ts";
import type { Logger } from "../core/log.ts";
import { DEFAULT_RATE_LIMIT, type RateLimitOptions } from "../core/ratelimit.ts";

export function authRateLimit(config: Config, log?: Logger): Partial<RateLimitOptions> {
  const r = config.gateway.auth.rateLimit;
  if (!r) return {};
  if (r.exemptLoopback === true) {
    log?.warn("gateway.auth.rateLimit.exemptLoopback is ignored: loopback is always rate-limited (a web page can reach it); remove the key to silence this");
  }
  const out: Partial<RateLimitOptions> = {};
  if (r.maxAttempts !== undefined) out.freeFailures = r.maxAttempts;
  if (r.lockoutMs !== undefined) out.maxDelayMs = r.lockoutMs;
  if (r.windowMs !== undefined) out.forgetAfterMs = Math.max(r.windowMs, out.maxDelayMs ?? DEFAULT_RATE_LIMIT.maxDelayMs);
  if (r.maxEntries !== undefined) out.maxEntries = r.maxEntries;
  if (r.globalFailures !== undefined) out.globalFailures = r.globalFailures;
  if (r.globalWindowMs !== undefined) out.globalWindowMs = r.globalWindowMs;
  return out;
}
