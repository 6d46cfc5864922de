/**
 * The config form, generated from the JSON Schema `config.schema` returns: one field per leaf
 * (string, number, integer, boolean, enum, list of strings), a JSON editor for anything else
 * (maps, unions, lists of objects). Values are validated by the gateway (config.patch), not here:
 * a typed value goes to the server as the user wrote it (a number when it reads as one), and the
 * error comes back at its path.
 */
import type { JsonSchema } from "../rpc/types.ts";
import type { ErrorDetail } from "../rpc/errors.ts";

export type FieldKind = "string" | "number" | "integer" | "boolean" | "enum" | "list" | "json";

export interface ConfigField {
  path: string;
  kind: FieldKind;
  label: string;
  description?: string;
  options?: string[];
  default?: unknown;
}

const MAX_DEPTH = 6;

function typeOf(s: JsonSchema): string | undefined {
  return Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
}

function leafKind(s: JsonSchema): FieldKind | null {
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === "string")) return "enum";
  const t = typeOf(s);
  if (t === "string" || t === "number" || t === "integer" || t === "boolean") return t;
  if (t === "array" && s.items && ["string", "number", "integer"].includes(typeOf(s.items) ?? "")) return "list";
  return null;
}

/** Every editable field under `schema`, depth first, in schema order. */
export function fieldsOf(schema: JsonSchema, prefix = "", depth = 0): ConfigField[] {
  const out: ConfigField[] = [];
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    if (key === "$schema") continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const kind = leafKind(sub);
    const base = { path, label: key, ...(sub.description ? { description: sub.description } : {}), ...(sub.default !== undefined ? { default: sub.default } : {}) };
    if (kind) out.push({ ...base, kind, ...(kind === "enum" ? { options: (sub.enum as string[]).slice() } : {}) });
    else if (typeOf(sub) === "object" && sub.properties && Object.keys(sub.properties).length && depth < MAX_DEPTH) out.push(...fieldsOf(sub, path, depth + 1));
    else out.push({ ...base, kind: "json" });
  }
  return out;
}

export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** What an input shows for a value. */
export function display(field: ConfigField, value: unknown): string | boolean {
  if (field.kind === "boolean") return value === true;
  if (value === undefined || value === null) return "";
  if (field.kind === "list") return Array.isArray(value) ? value.join("\n") : String(value);
  if (field.kind === "json") return JSON.stringify(value, null, 2);
  return String(value);
}

export class FieldInputError extends Error {
  override readonly name = "FieldInputError";
}

/** What an input's raw value means in the patch: `null` deletes the key (back to the default). */
export function parseInput(field: ConfigField, raw: string | boolean): unknown {
  if (field.kind === "boolean") return raw === true;
  const text = String(raw);
  if (field.kind === "json") {
    if (!text.trim()) return null;
    try {
      return JSON.parse(text);
    } catch {
      throw new FieldInputError("not valid JSON: fix the syntax (quotes around keys and strings)");
    }
  }
  if (field.kind === "list") return text.split("\n").map((s) => s.trim()).filter(Boolean);
  if (!text.trim()) return null;
  if (field.kind === "number" || field.kind === "integer") {
    const n = Number(text.trim());
    return Number.isFinite(n) ? n : text;
  }
  return text;
}

/** A JSON merge patch setting each path to its value. */
export function patchOf(values: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [path, value] of values) {
    const keys = path.split(".");
    let cur = patch;
    keys.slice(0, -1).forEach((k) => {
      if (typeof cur[k] !== "object" || cur[k] === null) cur[k] = {};
      cur = cur[k] as Record<string, unknown>;
    });
    cur[keys[keys.length - 1]!] = value;
  }
  return patch;
}

/** Server error details → the field each belongs to (the longest field path that prefixes it); the rest are general. */
export function errorsByField(details: readonly ErrorDetail[], fields: readonly ConfigField[]): { byField: Record<string, string>; general: string[] } {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  const paths = fields.map((f) => f.path).sort((a, b) => b.length - a.length);
  for (const d of details) {
    const p = String(d.path ?? "");
    const hit = paths.find((f) => p === f || p.startsWith(`${f}.`));
    if (hit) byField[hit] = byField[hit] ? `${byField[hit]}; ${d.message}` : d.message;
    else general.push(p ? `${p}: ${d.message}` : d.message);
  }
  return { byField, general };
}
