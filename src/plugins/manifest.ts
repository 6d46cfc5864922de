/**
 * A plugin directory, read WITHOUT running any of its code: `openclaw.plugin.json` (the OpenClaw
 * manifest: `id` and `configSchema` required; `name`, `version`, `description` shown; every other
 * field kept and ignored), the entry from `package.json` `openclaw.extensions[0]` (else `index.ts`,
 * `index.js`, `src/index.ts`), the ownership rule, and the plugin's config checked against its
 * `configSchema` with ajv (docs/decisions.md).
 *
 * Ownership (as OpenClaw and sshd do): the directory, its manifest and its entry must be owned by
 * this user (or root) and not writable by group or others — anyone who can write there could run
 * code as the gateway's plugin. Each refusal throws `PluginManifestError` naming the path and fix.
 */
import { existsSync, lstatSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import { z } from "zod";
import { OpenClawError } from "../core/errors.ts";
import { isInside } from "../sandbox/paths.ts";

export class PluginManifestError extends OpenClawError {
  static override readonly type: string = "PluginManifestError";
}

export const MANIFEST_FILE = "openclaw.plugin.json";

export const ManifestSchema = z.looseObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,127}$/i, "an id is letters, digits, _ and - (up to 128; no dots: it is a config key)"),
  name: z.string().optional(),
  version: z.string().optional(),
  description: z.string().optional(),
  configSchema: z.record(z.string(), z.unknown()),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export interface PluginDir {
  dir: string;
  entry: string;
  manifest: Manifest;
}

const DEFAULT_ENTRIES = ["index.ts", "index.js", "index.mjs", "src/index.ts", "dist/index.js"];

export function readPluginDir(dirIn: string, uid: number = process.getuid?.() ?? 0): PluginDir {
  const dir = realpathSync(dirIn);
  checkOwner(dir, uid);
  const mpath = join(dir, MANIFEST_FILE);
  if (!existsSync(mpath)) throw new PluginManifestError(`${dir} has no ${MANIFEST_FILE}; a plugin directory needs one with at least "id" and "configSchema"`);
  checkOwner(mpath, uid);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(mpath, "utf8"));
  } catch (err) {
    throw new PluginManifestError(`${mpath} is not valid JSON (${(err as Error).message}); fix the file`);
  }
  const m = ManifestSchema.safeParse(raw);
  if (!m.success) {
    const issue = m.error.issues[0]!;
    throw new PluginManifestError(`${mpath}: ${issue.path.join(".") || "(root)"}: ${issue.message}; a manifest needs "id" (string) and "configSchema" (a JSON Schema object, {} for none)`);
  }
  const entry = findEntry(dir);
  checkOwner(entry, uid);
  return { dir, entry, manifest: m.data };
}

function findEntry(dir: string): string {
  const pkgPath = join(dir, "package.json");
  if (existsSync(pkgPath)) {
    let pkg: { openclaw?: { extensions?: unknown } };
    try {
      pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as typeof pkg;
    } catch (err) {
      throw new PluginManifestError(`${pkgPath} is not valid JSON (${(err as Error).message}); fix the file`);
    }
    const ext = pkg.openclaw?.extensions;
    if (ext !== undefined) {
      const first = Array.isArray(ext) ? ext[0] : undefined;
      if (typeof first !== "string") throw new PluginManifestError(`${pkgPath}: openclaw.extensions must be a list of entry files, e.g. ["./index.ts"]`);
      const p = join(dir, first);
      if (!existsSync(p)) throw new PluginManifestError(`${pkgPath}: openclaw.extensions names ${first}, which does not exist; build the plugin or fix the path`);
      const real = realpathSync(p);
      if (!isInside(real, dir)) throw new PluginManifestError(`${pkgPath}: openclaw.extensions entry ${first} leaves the plugin directory; an entry must be inside ${dir}`);
      return real;
    }
  }
  for (const name of DEFAULT_ENTRIES) {
    const p = join(dir, name);
    if (existsSync(p)) return realpathSync(p);
  }
  throw new PluginManifestError(`${dir} has no entry: add "openclaw": {"extensions": ["./index.ts"]} to its package.json, or an index.ts`);
}

function checkOwner(path: string, uid: number): void {
  const st = lstatSync(path);
  if (st.mode & 0o022) {
    throw new PluginManifestError(`${path} is writable by ${st.mode & 0o002 ? "everyone" : "its group"}, so another user could change the plugin's code; run chmod go-w ${path}`);
  }
  if (st.uid !== uid && st.uid !== 0) {
    throw new PluginManifestError(`${path} is owned by uid ${st.uid}, not by this user (uid ${uid}); a plugin must belong to the user running the gateway: chown it, or remove it`);
  }
}

const ajv = new Ajv({ allErrors: false, strict: false, useDefaults: true });

/**
 * `plugins.entries.<id>.config` against the manifest's configSchema; returns the config with the
 * schema's defaults filled in. Throws `PluginManifestError` naming the plugin, the key and the fix.
 */
export function validatePluginConfig(id: string, schema: Record<string, unknown>, config: unknown): unknown {
  let validate;
  try {
    validate = ajv.compile(schema);
  } catch (err) {
    throw new PluginManifestError(`plugin ${id}: its configSchema is not a valid JSON Schema (${(err as Error).message}); the plugin's author must fix ${MANIFEST_FILE}`);
  }
  const value = structuredClone(config ?? {});
  if (validate(value)) return value;
  const e = validate.errors![0]!;
  const key = `plugins.entries.${id}.config${keyOf(e)}`;
  throw new PluginManifestError(`plugin ${id}: ${key} ${describe(e)}; ${fixOf(e, key)}`);
}

function keyOf(e: ErrorObject): string {
  const path = e.instancePath.split("/").slice(1).map((s) => `.${s.replaceAll("~1", "/").replaceAll("~0", "~")}`).join("");
  if (e.keyword === "required") return `${path}.${(e.params as { missingProperty: string }).missingProperty}`;
  if (e.keyword === "additionalProperties") return `${path}.${(e.params as { additionalProperty: string }).additionalProperty}`;
  return path;
}

/** a missing key is set, an unknown one removed, a wrong one fixed */
function fixOf(e: ErrorObject, key: string): string {
  if (e.keyword === "required") return `set it: openclaw config set ${key} <value>`;
  if (e.keyword === "additionalProperties") return `remove it: openclaw config unset ${key}`;
  return `fix it in the config file (openclaw config set ${key} <value>) or remove the key`;
}

function describe(e: ErrorObject): string {
  if (e.keyword === "required") return "is required";
  if (e.keyword === "additionalProperties") return "is not a setting this plugin knows";
  return e.message ?? "is invalid";
}
