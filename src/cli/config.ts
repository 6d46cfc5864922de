/**
 * `openclaw config path|get|set|unset|list|validate|schema`. Edits go through config/edit.ts:
 * validated against the schema before anything is written, written atomically (0600 file, 0700
 * directory). `set` parses its value as JSON5 (`true`, `19000`, `["a"]`, `{a:1}`); a value that is
 * not JSON5 is taken as a plain string (`--string` forces that). Secrets are masked in everything
 * printed unless `get --reveal` asks for the value.
 */
import { defineCommand } from "citty";
import JSON5 from "json5";
import { isSecretKeyName, mask, redactValue } from "../core/secrets.ts";
import { configPath, databasePath, stateDir } from "../config/paths.ts";
import { NotFoundError } from "../core/errors.ts";
import { loadCliConfig, output, warn } from "./output.ts";

const keyArg = { type: "positional", description: "dotted key path, e.g. gateway.port", required: true } as const;

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function maskFor(key: string, value: unknown, reveal: boolean): unknown {
  if (reveal) return value;
  const last = key.split(".").pop() ?? "";
  if (typeof value === "string" && isSecretKeyName(last)) return mask(value);
  return redactValue(value, last);
}

export function parseValue(text: string, forceString: boolean): unknown {
  if (forceString) return text;
  try {
    return JSON5.parse(text);
  } catch {
    return text; // `openclaw config set gateway.bind lan`
  }
}

const path = defineCommand({
  meta: { name: "path", description: "Print where the config file, state dir and database are" },
  run() {
    const data = { path: configPath(), stateDir: stateDir(), database: databasePath() };
    output(data.path, data);
  },
});

const get = defineCommand({
  meta: { name: "get", description: "Print one value (file value, else the effective default)" },
  args: { key: keyArg, reveal: { type: "boolean", description: "print a secret value instead of its mask" } },
  async run({ args }) {
    await loadCliConfig(); // validates and reports warnings first
    const { getConfigValue } = await import("../config/edit.ts");
    const r = getConfigValue(args.key);
    if (!r.found) throw new NotFoundError(`config key ${args.key} is not set and has no default`);
    const value = maskFor(args.key, r.value, args.reveal === true);
    output(show(value), { key: args.key, value, source: r.source });
  },
});

const set = defineCommand({
  meta: { name: "set", description: "Set a value (JSON5: true, 19000, [\"a\"], {a:1}; else a string)" },
  args: {
    key: keyArg,
    value: { type: "positional", description: "the value, parsed as JSON5", required: true },
    string: { type: "boolean", description: "store the value as a string, without JSON5 parsing" },
  },
  async run({ args }) {
    const { setConfigValue } = await import("../config/edit.ts");
    const value = parseValue(args.value, args.string === true);
    const r = setConfigValue(args.key, value);
    for (const w of r.warnings) warn(w);
    const shown = maskFor(args.key, value, false);
    output(r.changed ? `set ${args.key} = ${JSON.stringify(shown)} in ${r.path}` : `${args.key} already had that value`, {
      key: args.key, value: shown, path: r.path, changed: r.changed,
    });
  },
});

const unset = defineCommand({
  meta: { name: "unset", description: "Remove a key from the file (its default applies again)" },
  args: { key: keyArg },
  async run({ args }) {
    const { unsetConfigValue } = await import("../config/edit.ts");
    const r = unsetConfigValue(args.key);
    for (const w of r.warnings) warn(w);
    output(r.removed ? `removed ${args.key} from ${r.path}` : `${args.key} was not set in ${r.path}`, {
      key: args.key, removed: r.removed, path: r.path,
    });
  },
});

const list = defineCommand({
  meta: { name: "list", description: "Print the effective config (defaults filled in), secrets masked" },
  args: { file: { type: "boolean", description: "print only what the file holds" } },
  async run({ args }) {
    const loaded = await loadCliConfig();
    const value = redactValue(args.file ? loaded.raw : loaded.config) as Record<string, unknown>;
    output(JSON.stringify(value, null, 2), { path: loaded.path, config: value });
  },
});

const validate = defineCommand({
  meta: { name: "validate", description: "Check the config file; exit 78 when it is invalid" },
  async run() {
    const loaded = await loadCliConfig(); // ConfigError → exit 78 with the message
    const text = loaded.exists ? `config ok: ${loaded.path}` : `no config file at ${loaded.path}; the defaults apply`;
    const extra = loaded.warnings.length > 0 ? ` (${loaded.warnings.length} warning${loaded.warnings.length === 1 ? "" : "s"})` : "";
    output(text + extra, { path: loaded.path, exists: loaded.exists, warnings: loaded.warnings });
  },
});

const schema = defineCommand({
  meta: { name: "schema", description: "Print the JSON Schema of openclaw.json" },
  async run() {
    const { configJsonSchema } = await import("../config/validate.ts");
    const s = configJsonSchema();
    output(JSON.stringify(s, null, 2), { schema: s });
  },
});

export const command = defineCommand({
  meta: { name: "config", description: "Read and edit openclaw.json" },
  subCommands: { path, get, set, unset, list, validate, schema },
});
