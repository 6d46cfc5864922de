/**
 * Environment in config: `${VAR}` substitution in every string (uppercase names only, as OpenClaw;
 * `$${VAR}` is a literal `${VAR}`), and the env overrides that win over the file. The environment is
 * read here, lazily, on each call — never at import time.
 */
import { ConfigError } from "../core/errors.ts";
import { registerSecret } from "../core/secrets.ts";
import { formatPath, getPath, isPlainObject, setPath, type JsonObject } from "./keypath.ts";

const REF = /\$?\$\{([A-Z_][A-Z0-9_]*)\}/g;

export type Env = Record<string, string | undefined>;

export interface SubstituteOptions {
  env?: Env;
  /** "error" (loading): a missing variable is a ConfigError naming the key. "keep": leave `${VAR}` as written. */
  onMissing?: "error" | "keep";
}

/** Returns a copy of `value` with `${VAR}` replaced in every string. */
export function substituteEnv(value: unknown, opts: SubstituteOptions = {}, path: string[] = []): unknown {
  const env = opts.env ?? process.env;
  if (typeof value === "string") return substituteString(value, env, opts.onMissing ?? "error", path);
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, opts, [...path, String(i)]));
  if (isPlainObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, opts, [...path, k]);
    return out;
  }
  return value;
}

function substituteString(s: string, env: Env, onMissing: "error" | "keep", path: string[]): string {
  if (!s.includes("${")) return s;
  return s.replace(REF, (match, name: string) => {
    if (match.startsWith("$$")) return match.slice(1);
    const v = env[name];
    if (v === undefined || v === "") {
      if (onMissing === "keep") return match;
      throw new ConfigError(
        `${formatPath(path)}: environment variable ${name} is not set (referenced as \${${name}}); set it or change the value`,
        { details: { path: formatPath(path), variable: name } },
      );
    }
    if (/(KEY|TOKEN|SECRET|PASSWORD)/.test(name)) registerSecret(v);
    return v;
  });
}

/** Env var → key path; the value from the environment wins over the file. */
export const ENV_OVERRIDES: readonly { env: string; path: string[]; kind: "string" | "port" }[] = [
  { env: "OPENCLAW_GATEWAY_TOKEN", path: ["gateway", "auth", "token"], kind: "string" },
  { env: "OPENCLAW_GATEWAY_PORT", path: ["gateway", "port"], kind: "port" },
  { env: "ANTHROPIC_API_KEY", path: ["models", "providers", "anthropic", "apiKey"], kind: "string" },
  { env: "TELEGRAM_BOT_TOKEN", path: ["channels", "telegram", "botToken"], kind: "string" },
  { env: "OPENCLAW_DATABASE_URL", path: ["storage", "url"], kind: "string" },
];

/**
 * Env var → key path used only when the file leaves that key unset (the config wins): variables
 * other tools already honour, such as the Anthropic SDK's `ANTHROPIC_BASE_URL`.
 */
export const ENV_DEFAULTS: readonly { env: string; path: string[]; kind: "url" }[] = [
  { env: "ANTHROPIC_BASE_URL", path: ["models", "providers", "anthropic", "baseUrl"], kind: "url" },
];

function checkUrl(name: string, raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new ConfigError(`${name}: expected an http(s) URL such as https://api.anthropic.com, got ${JSON.stringify(raw)}; fix or unset it`, { details: { variable: name } });
  }
  return raw.trim();
}

/** Applies the overrides (and the defaults the file leaves unset) in place; returns the names of the variables that were applied. */
export function applyEnvOverrides(doc: JsonObject, env: Env = process.env): string[] {
  const applied: string[] = [];
  for (const d of ENV_DEFAULTS) {
    const raw = env[d.env];
    if (raw === undefined || raw.trim() === "" || getPath(doc, d.path).found) continue;
    setPath(doc, d.path, checkUrl(d.env, raw));
    applied.push(d.env);
  }
  for (const o of ENV_OVERRIDES) {
    const raw = env[o.env];
    if (raw === undefined || raw === "") continue;
    let value: string | number = raw;
    if (o.kind === "port") {
      const n = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 65535) {
        throw new ConfigError(`${o.env}: expected a port number 1-65535, got ${JSON.stringify(raw)}`, { details: { variable: o.env } });
      }
      value = n;
    } else {
      registerSecret(raw);
    }
    setPath(doc, o.path, value);
    applied.push(o.env);
  }
  return applied;
}

/** Colour on a TTY unless NO_COLOR is set (https://no-color.org) or TERM=dumb. */
export function colorWanted(isTty: boolean, env: Env = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return isTty;
}
