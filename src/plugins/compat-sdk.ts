/**
 * What `openclaw/plugin-sdk` and its common subpaths export to plugins here: the runtime values
 * third-party plugins import (types are erased and need nothing). Subpaths provided: the root,
 * `plugin-entry`, `core`, `types`; any other import names the list (load.ts). The shapes follow
 * OpenClaw's public SDK (`definePluginEntry`, `emptyPluginConfigSchema`, `jsonResult`, param readers).
 */
export interface PluginConfigSchema {
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: { path: string[]; message: string }[] } };
  jsonSchema: Record<string, unknown>;
}

export function emptyPluginConfigSchema(): PluginConfigSchema {
  return {
    safeParse(value) {
      if (value === undefined || value === null) return { success: true, data: {} };
      if (typeof value !== "object" || Array.isArray(value)) return { success: false, error: { issues: [{ path: [], message: "expected config object" }] } };
      const keys = Object.keys(value);
      if (keys.length) return { success: false, error: { issues: [{ path: [keys[0]!], message: "this plugin takes no config" }] } };
      return { success: true, data: value };
    },
    jsonSchema: { type: "object", additionalProperties: false, properties: {} },
  };
}

export interface PluginEntryOptions {
  id: string;
  name?: string;
  description?: string;
  kind?: string;
  configSchema?: PluginConfigSchema | (() => PluginConfigSchema);
  register: (api: unknown) => unknown;
}

export function definePluginEntry(opts: PluginEntryOptions): Record<string, unknown> {
  const schema = typeof opts.configSchema === "function" ? opts.configSchema() : (opts.configSchema ?? emptyPluginConfigSchema());
  return { id: opts.id, name: opts.name ?? opts.id, description: opts.description ?? "", ...(opts.kind ? { kind: opts.kind } : {}), configSchema: schema, register: opts.register };
}

export const textResult = (text: string, details?: unknown) => ({ content: [{ type: "text" as const, text }], details });
export const jsonResult = (payload: unknown) => textResult(JSON.stringify(payload, null, 2), payload);

type Params = Record<string, unknown>;
interface ReadOpts {
  required?: boolean;
  label?: string;
  trim?: boolean;
  allowEmpty?: boolean;
}
export function readStringParam(params: Params, key: string, opts: ReadOpts = {}): string | undefined {
  const raw = params?.[key];
  const v = typeof raw === "string" ? (opts.trim === false ? raw : raw.trim()) : undefined;
  if (v === undefined || (!v && !opts.allowEmpty)) {
    if (opts.required) throw new Error(`${opts.label ?? key} required`);
    return undefined;
  }
  return v;
}
export function readNumberParam(params: Params, key: string, opts: ReadOpts & { integer?: boolean } = {}): number | undefined {
  const raw = params?.[key];
  const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() ? Number(raw) : undefined;
  if (n === undefined || !Number.isFinite(n)) {
    if (opts.required) throw new Error(`${opts.label ?? key} required`);
    return undefined;
  }
  return opts.integer ? Math.trunc(n) : n;
}
export function readStringArrayParam(params: Params, key: string, opts: ReadOpts = {}): string[] | undefined {
  const raw = params?.[key];
  const list = Array.isArray(raw) ? raw.filter((x): x is string => typeof x === "string").map((x) => x.trim()).filter(Boolean) : typeof raw === "string" && raw.trim() ? [raw.trim()] : undefined;
  if (!list?.length) {
    if (opts.required) throw new Error(`${opts.label ?? key} required`);
    return undefined;
  }
  return list;
}

const entry = { definePluginEntry, emptyPluginConfigSchema };
const core = { ...entry, jsonResult, textResult, readStringParam, readNumberParam, readStringArrayParam };

/** specifier → the module's exports */
export const OPENCLAW_SDK_MODULES: Record<string, Record<string, unknown>> = {
  "openclaw/plugin-sdk": core,
  "openclaw/plugin-sdk/plugin-entry": entry,
  "openclaw/plugin-sdk/core": core,
  "openclaw/plugin-sdk/types": {},
};
