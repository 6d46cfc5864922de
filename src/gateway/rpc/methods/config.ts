/**
 * config.get (secrets redacted), config.schema (the JSON Schema of openclaw.json, as `openclaw
 * config schema` prints it) and config.patch (merge patch, validated and written atomically by
 * the config source; changes that are safe are applied at once, the rest are reported as needing
 * a restart). An invalid patch is ConfigError (-32030) with `data.details: [{path, message}]`, one
 * per invalid key, so a form can show each message at its field.
 */
import { z } from "zod";
import { ConfigError } from "../../../core/errors.ts";
import { configureLogging } from "../../../core/log.ts";
import { configJsonSchema } from "../../../config/validate.ts";
import { redactValue } from "../../../core/secrets.ts";
import type { Config } from "../../../config/schema.ts";
import type { Gateway } from "../../gateway.ts";
import { defineMethod, type MethodDef } from "../method.ts";

/** Keys the gateway itself reads live on every use: changing them needs nothing more. */
const LIVE_PREFIXES = [
  "gateway.allowedOrigins",
  "gateway.limits.maxJsonDepth",
  "gateway.limits.maxBatch",
  "gateway.limits.maxRunsPerSession",
  "gateway.limits.shutdownGraceMs",
  "logging.level",
];

/** Dotted paths of leaves that differ between two JSON values (arrays compared whole). */
export function changedKeys(a: unknown, b: unknown, prefix = ""): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => changedKeys(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

const TOOL_POLICY_KEYS = ["tools.allow", "tools.deny"];
const isToolPolicyKey = (k: string) => TOOL_POLICY_KEYS.some((p) => k === p || k.startsWith(p + "."));

function applyOwn(gw: Gateway, config: Config, changed: string[]): string[] {
  if (changed.includes("logging.level")) configureLogging({ level: config.logging.level });
  const applied = changed.filter((k) => LIVE_PREFIXES.some((p) => k === p || k.startsWith(p + ".")));
  // tool policy: the runtime swaps its tool set; runs that start afterwards see the new one
  if (gw.runtime.setToolPolicy && changed.some(isToolPolicyKey)) {
    gw.runtime.setToolPolicy({ ...(config.tools.allow ? { allow: config.tools.allow } : {}), deny: config.tools.deny });
    applied.push(...changed.filter(isToolPolicyKey));
  }
  return applied;
}

const PatchParams = z.strictObject({ patch: z.record(z.string(), z.unknown()) });

type FieldError = { path: string; message: string };

/** "expected integer 1..65535"; a schema's own words (a refinement's message) are kept beside it. */
function fieldMessage(i: { expected?: string; message: string }): string {
  if (!i.expected) return i.message;
  return /^(Invalid|Too |Expected)/.test(i.message) ? `expected ${i.expected}` : `expected ${i.expected} (${i.message})`;
}

/** The same ConfigError with `details` as `[{path, message}]` (message: "expected …" at the key; "" path: the whole patch). */
export function withFieldDetails(err: ConfigError): ConfigError {
  const issues = (err.details as { issues?: { path: string; expected?: string; message: string }[] } | undefined)?.issues;
  const details: FieldError[] = issues?.length
    ? issues.map((i) => ({ path: i.path, message: fieldMessage(i) }))
    : [{ path: "", message: err.message }];
  return new ConfigError(err.message, { details, cause: err });
}

export function configMethods(gw: Gateway): MethodDef[] {
  return [
    defineMethod({ name: "config.get", scope: "admin", params: z.strictObject({}), handler: () => ({ config: redactValue(gw.config()) }) }),

    defineMethod({ name: "config.schema", scope: "read", params: z.strictObject({}), handler: () => ({ schema: configJsonSchema() }) }),

    defineMethod({
      name: "config.patch",
      scope: "admin",
      params: PatchParams,
      handler: async (p) => {
        const before = gw.config();
        let after: Config;
        try {
          after = await gw.configSource.patch(p.patch);
        } catch (err) {
          throw err instanceof ConfigError ? withFieldDetails(err) : err;
        }
        const changed = changedKeys(before, after);
        const applied = new Set([...applyOwn(gw, after, changed), ...(gw.deps.hotApply?.(after, changed) ?? [])]);
        const restartRequired = changed.filter((k) => !applied.has(k));
        if (changed.length) gw.log.info("config patched", { changed, restartRequired });
        return { changed, applied: [...applied], restartRequired, config: redactValue(after) };
      },
    }),
  ];
}
