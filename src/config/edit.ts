/**
 * Editing the config file: get / set / unset by dotted key path and `patchConfig` (JSON merge
 * patch: objects merge, `null` deletes). Every edit is applied to the raw document (unknown keys
 * and `${VAR}` references kept), validated against the schema BEFORE anything is written, then
 * written atomically (see write.ts). Used by the CLI and by the gateway's `config.patch`.
 *
 * Edits are synchronous so two edits in one process cannot interleave their read-modify-write.
 * Across processes, pass `baseHash` (from LoadedConfig.hash) to refuse a write over a file that
 * changed since it was read (ConflictError).
 */
import { ConfigError, ConflictError } from "../core/errors.ts";
import { configPath } from "./paths.ts";
import type { Env } from "./env.ts";
import { substituteEnv } from "./env.ts";
import { clone, getPath, isPlainObject, mergePatch, parseKeyPath, setPath, unsetPath, type JsonObject } from "./keypath.ts";
import { loadConfig, readConfigDocument, resolveDocument, type LoadedConfig } from "./load.ts";
import { pluginPathWarnings } from "./plugin-paths.ts";
import { registerConfigSecrets, unknownKeyWarnings, validateDocument } from "./validate.ts";
import { writeConfigFile } from "./write.ts";

export interface EditOptions {
  path?: string;
  env?: Env;
  /** refuse to write unless the file still has this hash (null: the file must not exist) */
  baseHash?: string | null;
  /**
   * "strict": the edited document must load exactly as the gateway would load it (every `${VAR}` set).
   * "document" (CLI default): values that are still `${VAR}` references are not judged, since the
   * variable may only exist in the service's environment.
   */
  check?: "strict" | "document";
}

export interface EditResult {
  path: string;
  raw: JsonObject;
  /** warnings the edit introduced (an unknown key it added, a plugin path that does not exist), once each */
  warnings: string[];
  /** false when the edit changed nothing (nothing was written) */
  changed: boolean;
}

function begin(opts: EditOptions): { path: string; raw: JsonObject; hash: string | null } {
  const path = opts.path ?? configPath();
  const doc = readConfigDocument(path);
  if (opts.baseHash !== undefined && opts.baseHash !== doc.hash) {
    throw new ConflictError(`the config at ${path} changed since it was read; reload it and apply the change again`);
  }
  return { path, raw: doc.raw, hash: doc.hash };
}

/** Warnings about a document as written: unknown keys, plugin paths that do not exist. */
function documentWarnings(raw: JsonObject, path: string): string[] {
  const paths = getPath(raw, ["plugins", "load", "paths"]).value;
  const strings = Array.isArray(paths) ? paths.filter((p): p is string => typeof p === "string" && !p.includes("${")) : [];
  return [...unknownKeyWarnings(raw, path), ...pluginPathWarnings(strings, path)];
}

function commit(path: string, before: JsonObject, after: JsonObject, opts: EditOptions): EditResult {
  const env = opts.env ?? process.env;
  let warnings: string[];
  if (opts.check === "strict") {
    warnings = resolveDocument(after, path, env).warnings;
  } else {
    const doc = substituteEnv(clone(after), { env, onMissing: "keep" });
    registerConfigSecrets(doc);
    validateDocument(doc, { ignoreUnresolvedRefs: true, source: path });
    warnings = documentWarnings(after, path);
  }
  // report what this edit introduced; what the file already had is `config validate`'s to report
  const had = new Set(documentWarnings(before, path));
  const changed = JSON.stringify(before) !== JSON.stringify(after);
  if (changed) writeConfigFile(path, after);
  return { path, raw: after, warnings: [...new Set(warnings)].filter((w) => !had.has(w)), changed };
}

/** The value at `key`: from the file when set there, else the effective value (defaults, env overrides). */
export function getConfigValue(key: string, opts: { path?: string; env?: Env } = {}): {
  found: boolean;
  value: unknown;
  source: "file" | "effective" | null;
} {
  const segs = parseKeyPath(key);
  const loaded = loadConfig(opts);
  const eff = getPath(loaded.config, segs);
  const inFile = getPath(loaded.raw, segs);
  // the effective value wins (it includes env substitution and overrides); unknown keys live only in the file
  if (eff.found && eff.value !== undefined) return { found: true, value: eff.value, source: inFile.found ? "file" : "effective" };
  if (inFile.found) return { found: true, value: inFile.value, source: "file" };
  return { found: false, value: undefined, source: null };
}

export function setConfigValue(key: string, value: unknown, opts: EditOptions = {}): EditResult {
  const segs = parseKeyPath(key);
  if (value === undefined) throw new ConfigError(`no value given for ${key}`);
  const { path, raw } = begin(opts);
  const after = clone(raw);
  setPath(after, segs, clone(value));
  return commit(path, raw, after, opts);
}

export function unsetConfigValue(key: string, opts: EditOptions = {}): EditResult & { removed: boolean } {
  const segs = parseKeyPath(key);
  const { path, raw } = begin(opts);
  const after = clone(raw);
  const removed = unsetPath(after, segs);
  return { ...commit(path, raw, after, opts), removed };
}

/** Deep-merges `patch` into the file (null deletes) and returns the config as now loaded. */
export function patchConfig(patch: Record<string, unknown>, opts: EditOptions = {}): LoadedConfig {
  if (!isPlainObject(patch)) throw new ConfigError("a config patch must be an object");
  const { path, raw } = begin(opts);
  const after = mergePatch(raw, patch) as JsonObject;
  commit(path, raw, after, { ...opts, check: opts.check ?? "strict" });
  return loadConfig({ path, ...(opts.env ? { env: opts.env } : {}) });
}
