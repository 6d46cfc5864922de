/**
 * Checking a config document against `ConfigSchema`: errors that name the key path, the expected
 * shape and the offending value (secrets masked); unknown keys found by walking the schema (one
 * warning each, never an error); the JSON Schema export.
 */
import { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import { isSecretKeyName, mask, redact, registerSecret } from "../core/secrets.ts";
import { ConfigSchema, type Config } from "./schema.ts";
import { formatPath, getPath, isPlainObject } from "./keypath.ts";

type Def = { type: string; [k: string]: unknown };
type Schema = { _zod: { def: Def } };

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"]);

function unwrap(schema: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 32; i++) {
    const def = s._zod.def;
    if (WRAPPERS.has(def.type)) s = def.innerType as Schema;
    else if (def.type === "pipe") s = def.in as Schema;
    else if (def.type === "lazy") s = (def.getter as () => Schema)();
    else break;
  }
  return s;
}

function walkUnknown(schema: Schema, value: unknown, path: string[], out: string[]): void {
  const s = unwrap(schema);
  const def = s._zod.def;
  if (def.type === "object" && isPlainObject(value)) {
    const shape = def.shape as Record<string, Schema>;
    if (Object.keys(shape).length === 0) return; // an open bag (e.g. `meta`): anything goes
    for (const [k, v] of Object.entries(value)) {
      const child = shape[k];
      if (child) walkUnknown(child, v, [...path, k], out);
      else out.push(formatPath([...path, k]));
    }
  } else if (def.type === "record" && isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) walkUnknown(def.valueType as Schema, v, [...path, k], out);
  } else if (def.type === "array" && Array.isArray(value)) {
    value.forEach((v, i) => walkUnknown(def.element as Schema, v, [...path, String(i)], out));
  } else if (def.type === "union" && isPlainObject(value)) {
    // walk with the object option that knows the most of the given keys
    let best: string[] | undefined;
    for (const opt of def.options as Schema[]) {
      const u = unwrap(opt);
      if (u._zod.def.type !== "object" && u._zod.def.type !== "record") continue;
      const found: string[] = [];
      walkUnknown(u, value, path, found);
      if (!best || found.length < best.length) best = found;
    }
    if (best) out.push(...best);
  }
}

/**
 * One warning per key the schema does not know (full key path; subtrees of an unknown key are not
 * descended). Unknown keys are kept in the file, never an error.
 */
export function unknownKeyWarnings(doc: unknown, source: string): string[] {
  const out: string[] = [];
  walkUnknown(ConfigSchema as unknown as Schema, doc, [], out);
  return out.map((k) => `unknown config key "${k}" in ${source} (kept, not used by this version)`);
}

let jsonSchemaCache: Record<string, unknown> | undefined;
/** The JSON Schema of the config file (input side: defaults are optional). */
export function configJsonSchema(): Record<string, unknown> {
  jsonSchemaCache ??= z.toJSONSchema(ConfigSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return jsonSchemaCache;
}

type JsonSchemaNode = Record<string, unknown>;
function navigate(node: JsonSchemaNode | undefined, seg: string): JsonSchemaNode | undefined {
  if (!node) return undefined;
  if (Array.isArray(node.anyOf)) {
    for (const opt of node.anyOf as JsonSchemaNode[]) {
      const r = navigate(opt, seg);
      if (r) return r;
    }
    return undefined;
  }
  const props = node.properties as Record<string, JsonSchemaNode> | undefined;
  if (props?.[seg]) return props[seg];
  if (node.type === "array" && isPlainObject(node.items)) return node.items;
  const extra = node.additionalProperties;
  if (isPlainObject(extra) && Object.keys(extra).length > 0) return extra;
  return undefined;
}

/** A short human description of a JSON Schema node: `integer 1..65535`, `one of "a" | "b"`, … */
export function describeNode(node: JsonSchemaNode | undefined): string {
  if (!node) return "a valid value";
  if (Array.isArray(node.anyOf)) return (node.anyOf as JsonSchemaNode[]).map(describeNode).join(" or ");
  if (Array.isArray(node.enum)) return `one of ${(node.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | ")}`;
  const t = node.type;
  if (t === "integer" || t === "number") {
    const min = node.minimum ?? (node.exclusiveMinimum !== undefined ? `>${node.exclusiveMinimum}` : undefined);
    const max = node.maximum;
    const range = min !== undefined && max !== undefined ? ` ${min}..${max}` : min !== undefined ? ` >= ${min}`.replace(">= >", "> ") : max !== undefined ? ` <= ${max}` : "";
    return `${t}${range}`;
  }
  if (t === "string") {
    if (node.format === "uri") return "a URL";
    if (typeof node.pattern === "string") return `a string matching /${node.pattern}/`;
    if (node.minLength === 1) return "a non-empty string";
    if (typeof node.minLength === "number") return `a string of at least ${node.minLength} characters`;
    return "a string";
  }
  if (t === "boolean") return "true or false";
  if (t === "array") return `an array of ${describeNode(node.items as JsonSchemaNode).replace(/^an? /, "")}s`.replace(/ss$/, "s");
  if (t === "object") return "an object";
  return "a valid value";
}

export function expectedAt(path: readonly PropertyKey[]): string {
  let node: JsonSchemaNode | undefined = configJsonSchema();
  for (const seg of path) node = navigate(node, String(seg));
  return describeNode(node);
}

/** Renders an offending value for a message, masking secrets (by key name or registered value). */
export function showValue(value: unknown, path: readonly PropertyKey[]): string {
  if (value === undefined) return "nothing (the key is missing)";
  const secretish = path.some((p) => isSecretKeyName(String(p)));
  if (secretish && typeof value === "string") return JSON.stringify(mask(value));
  let s = JSON.stringify(value) ?? String(value);
  if (s.length > 80) s = s.slice(0, 77) + "...";
  return secretish ? "(a secret value, hidden)" : redact(s);
}

export interface ValidateOptions {
  /** Ignore issues at paths whose document value still holds a `${VAR}` reference (edit-time validation). */
  ignoreUnresolvedRefs?: boolean;
  /** Where the document came from, for the message. */
  source?: string;
}

/** Parses the document or throws one ConfigError listing every problem. */
export function validateDocument(doc: unknown, opts: ValidateOptions = {}): Config {
  const r = ConfigSchema.safeParse(doc);
  if (r.success) return r.data;
  const lines: string[] = [];
  const issues: { path: string; expected: string; message: string }[] = [];
  for (const issue of r.error.issues) {
    const got = getPath(doc, issue.path.map(String));
    if (opts.ignoreUnresolvedRefs && typeof got.value === "string" && got.value.includes("${")) continue;
    const expected = expectedAt(issue.path);
    const custom = /^(Invalid|Too |Expected)/.test(issue.message) ? "" : ` (${issue.message})`;
    const path = formatPath(issue.path);
    issues.push({ path, expected, message: issue.message });
    lines.push(`  ${path}: expected ${expected}${custom}, got ${showValue(got.value, issue.path)}`);
  }
  if (issues.length === 0) {
    // every failure sat at an unresolved `${VAR}`: judge the rest of the document without those values
    return validateDocument(stripRefs(doc), { source: opts.source });
  }
  const where = opts.source ? ` in ${opts.source}` : "";
  const count = lines.length === 1 ? "an invalid value" : `${lines.length} invalid values`;
  throw new ConfigError(`config has ${count}${where}:\n${lines.join("\n")}`, { details: { issues } });
}

function stripRefs(v: unknown): unknown {
  if (typeof v === "string") return v.includes("${") ? undefined : v;
  if (Array.isArray(v)) return v.map(stripRefs).filter((x) => x !== undefined);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const s = stripRefs(x);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }
  return v;
}

/** Registers every secret-looking value of a parsed config with `redact()`. */
export function registerConfigSecrets(value: unknown, key = ""): void {
  if (typeof value === "string") {
    if (isSecretKeyName(key) || /^(authorization|x-api-key|proxy-authorization)$/i.test(key)) registerSecret(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) registerConfigSecrets(v);
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) registerConfigSecrets(v, k);
}
