/**
 * Loading `openclaw.json`: JSON5 file → `${VAR}` substitution → env overrides → schema. The raw
 * document (unknown keys kept, `${VAR}` unresolved) is returned beside the parsed config so edits
 * write back exactly what the user wrote, minus comments (JSON5 comments are not preserved on write).
 *
 * Throws ConfigError for: JSON5 syntax (with line and column), a root that is not an object, a
 * missing `${VAR}`, a bad env override, invalid values (key path, expected shape, offending value
 * with secrets masked). Unknown keys, loose file permissions and a missing `plugins.load.paths`
 * entry are warnings, never errors.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import JSON5 from "json5";
import { ConfigError, errorMessage } from "../core/errors.ts";
import type { Config } from "./schema.ts";
import { configPath } from "./paths.ts";
import { applyEnvOverrides, substituteEnv, type Env } from "./env.ts";
import { clone, isPlainObject, type JsonObject } from "./keypath.ts";
import { pluginPathWarnings } from "./plugin-paths.ts";
import { registerConfigSecrets, unknownKeyWarnings, validateDocument } from "./validate.ts";

export interface LoadedConfig {
  /** the effective config: file + env substitution + env overrides + defaults */
  config: Config;
  /** the file document as written (unknown keys kept, `${VAR}` unresolved); `{}` when there is no file */
  raw: Record<string, unknown>;
  path: string;
  exists: boolean;
  warnings: string[];
  /** sha256 of the file bytes (null when missing): pass as `baseHash` to `patchConfig` for compare-and-swap */
  hash: string | null;
  /** env variables that overrode file values */
  envOverrides: string[];
}

export interface LoadOptions {
  path?: string;
  /** defaults to process.env, read at call time */
  env?: Env;
}

export interface ConfigDocument {
  raw: JsonObject;
  exists: boolean;
  hash: string | null;
  /** permission bits of the file, when it exists */
  mode: number | null;
}

/** Reads and parses the file only (no substitution, no schema). */
export function readConfigDocument(path: string): ConfigDocument {
  let text: string;
  let mode: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ConfigError(`${path} is not a regular file; point OPENCLAW_CONFIG_PATH at the config file`);
    mode = st.mode & 0o777;
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { raw: {}, exists: false, hash: null, mode: null };
    throw new ConfigError(`cannot read config ${path}: ${errorMessage(err)}`, { cause: err });
  }
  const hash = createHash("sha256").update(text).digest("hex");
  if (text.trim() === "") return { raw: {}, exists: true, hash, mode };
  let parsed: unknown;
  try {
    parsed = JSON5.parse(text);
  } catch (err) {
    const e = err as SyntaxError & { lineNumber?: number; columnNumber?: number };
    const line = e.lineNumber ?? 0;
    const column = e.columnNumber ?? 0;
    const what = errorMessage(err).replace(/^JSON5: /, "").replace(/ at \d+:\d+$/, "");
    throw new ConfigError(`${path}:${line}:${column}: invalid JSON5: ${what} (line ${line}, column ${column})`, {
      details: { path, line, column },
    });
  }
  if (!isPlainObject(parsed)) throw new ConfigError(`${path}: the config must be a JSON5 object ({ … }) at the top level`);
  return { raw: parsed, exists: true, hash, mode };
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./~@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function permissionWarning(path: string, mode: number | null): string | null {
  if (mode === null || (mode & 0o077) === 0) return null;
  const m = mode.toString(8).padStart(4, "0");
  return `config file ${path} has mode ${m} (readable by other users; it may hold secrets); fix: chmod 600 ${shellQuote(path)}`;
}

/** Turns a raw document into the effective config. Throws ConfigError. */
export function resolveDocument(raw: JsonObject, source: string, env: Env = process.env): { config: Config; envOverrides: string[]; warnings: string[] } {
  const doc = substituteEnv(clone(raw), { env, onMissing: "error" }) as JsonObject;
  const envOverrides = applyEnvOverrides(doc, env);
  const config = validateDocument(doc, { source });
  registerConfigSecrets(config);
  const warnings = [...unknownKeyWarnings(raw, source), ...pluginPathWarnings(config.plugins.load.paths, source)];
  return { config, envOverrides, warnings };
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const path = opts.path ?? configPath();
  const doc = readConfigDocument(path);
  registerConfigSecrets(doc.raw); // before validation, so an invalid secret is masked in the error too
  const warnings: string[] = [];
  const perm = permissionWarning(path, doc.mode);
  if (perm) warnings.push(perm);
  const r = resolveDocument(doc.raw, path, opts.env ?? process.env);
  warnings.push(...r.warnings);
  return { config: r.config, raw: doc.raw, path, exists: doc.exists, warnings, hash: doc.hash, envOverrides: r.envOverrides };
}
