/**
 * The gateway config as one plugin sees it (`ctx.config`, OpenClaw's `api.config`). `redactValue`
 * masks ApiKeys, known token shapes and secret-named keys; a plugin is untrusted, so this view
 * also masks what that key-name rule misses:
 * - every value of every `headers` object (a provider's `Authorization: Basic …`, `x-api-key`);
 * - string values under credential-like names (`…key`, `…auth`, `cookie`, `credentials`, …);
 * - every other plugin's `plugins.entries.<id>.config` (a plugin reads only its own, which it
 *   also gets validated as `pluginConfig`).
 */
import { mask, redactValue } from "../core/secrets.ts";

const CREDENTIAL_NAME = /(key|auth|authorization|cookie|credentials?|passwd|passphrase|private|secret|token|password)$/i;
/** names ending in "key" that are settings, not credentials */
const NOT_SECRET = new Set(["mainKey", "sessionKey"]);

export function pluginConfigView(config: unknown, pluginId: string): unknown {
  return maskDeep(stripOtherPlugins(redactValue(config), pluginId), "", false);
}

function maskDeep(value: unknown, key: string, secret: boolean): unknown {
  if (typeof value === "string") return secret || (CREDENTIAL_NAME.test(key) && !NOT_SECRET.has(key)) ? maskOnce(value) : value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, key, secret));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, k, secret || k === "headers");
    return out;
  }
  return value;
}

/** already-masked values ("sk-ant-…abcd", "…") stay as redactValue left them */
const maskOnce = (v: string): string => (v.includes("…") ? v : v.length ? mask(v) : v);

function stripOtherPlugins(config: unknown, pluginId: string): unknown {
  const c = config as { plugins?: { entries?: Record<string, Record<string, unknown>> } } | null;
  const entries = c?.plugins?.entries;
  if (!entries || typeof entries !== "object") return config;
  const kept: Record<string, Record<string, unknown>> = {};
  for (const [id, entry] of Object.entries(entries)) {
    if (id === pluginId || !entry || typeof entry !== "object") kept[id] = entry;
    else {
      const { config: _hidden, ...rest } = entry;
      kept[id] = rest;
    }
  }
  return { ...c, plugins: { ...c!.plugins, entries: kept } };
}
