/**
 * Dotted key paths (`gateway.auth.token`, `tools.deny.0`) over plain JSON documents: parse, get,
 * set, unset, and the merge-patch used by `config.patch`. Segments that could reach an object's
 * prototype (`__proto__`, `constructor`, `prototype`) are refused, since paths and patches may come
 * from a client.
 */
import { ConfigError } from "../core/errors.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = Record<string, unknown>;

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

export function parseKeyPath(key: string): string[] {
  if (typeof key !== "string" || key.trim() === "") throw new ConfigError("a config key is required, e.g. gateway.port");
  const parts = key.split(".");
  for (const p of parts) {
    if (p === "") throw new ConfigError(`invalid config key "${key}": empty segment`);
    if (FORBIDDEN.has(p)) throw new ConfigError(`invalid config key "${key}": "${p}" is not allowed`);
  }
  return parts;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(root)" : path.map(String).join(".");
}

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

export function getPath(doc: unknown, path: readonly string[]): { found: boolean; value: unknown } {
  let cur: unknown = doc;
  for (const seg of path) {
    if (Array.isArray(cur) && /^\d+$/.test(seg) && Number(seg) < cur.length) cur = cur[Number(seg)];
    else if (isPlainObject(cur) && own(cur, seg)) cur = cur[seg];
    else return { found: false, value: undefined };
  }
  return { found: true, value: cur };
}

/** Sets a value in place, creating objects on the way. A non-object in the way is an error. */
export function setPath(doc: JsonObject, path: readonly string[], value: unknown): void {
  let cur: unknown = doc;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!;
    if (Array.isArray(cur) && /^\d+$/.test(seg) && Number(seg) < cur.length) {
      cur = cur[Number(seg)];
      continue;
    }
    if (!isPlainObject(cur)) throw new ConfigError(`cannot set ${path.join(".")}: ${formatPath(path.slice(0, i))} is not an object`);
    if (!own(cur, seg) || cur[seg] === undefined || cur[seg] === null) cur[seg] = {};
    cur = cur[seg];
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(cur) && /^\d+$/.test(last) && Number(last) <= cur.length) cur[Number(last)] = value;
  else if (isPlainObject(cur)) cur[last] = value;
  else throw new ConfigError(`cannot set ${path.join(".")}: ${formatPath(path.slice(0, -1))} is not an object`);
}

/** Removes a key in place. Returns whether it was there. */
export function unsetPath(doc: JsonObject, path: readonly string[]): boolean {
  const parent = getPath(doc, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (!parent.found) return false;
  const p = parent.value;
  if (Array.isArray(p) && /^\d+$/.test(last) && Number(last) < p.length) {
    p.splice(Number(last), 1);
    return true;
  }
  if (isPlainObject(p) && own(p, last)) {
    delete p[last];
    return true;
  }
  return false;
}

/**
 * JSON merge patch (RFC 7396 semantics): objects merge recursively, `null` deletes, anything else
 * (arrays included) replaces. Returns a new document; inputs are not modified.
 */
export function mergePatch(target: unknown, patch: unknown, path: string[] = []): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (FORBIDDEN.has(k)) throw new ConfigError(`invalid config key "${[...path, k].join(".")}": "${k}" is not allowed`);
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v, [...path, k]);
  }
  return out;
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}
