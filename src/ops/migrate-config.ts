/**
 * The config half of `openclaw migrate`. Our config file already is OpenClaw's format (the same
 * key names where a feature exists, every unknown key kept), so:
 *   - source config = our config file (the usual case, `~/.openclaw`): nothing is written ("in-place");
 *   - no config of ours yet: the source document is copied as it is ("written"), after checking
 *     it loads here (a value this version rejects is reported with its key, and nothing is written);
 *   - both exist: keys ours lacks are added from the source, ours win where both set one ("merged").
 * Plugins installed in the source home's `extensions/` are added to `plugins.load.paths` of a
 * copied or merged document. The report lists the source keys that have no effect in this version.
 */
import { realpathSync } from "node:fs";
import { errorMessage } from "../core/errors.ts";
import { readConfigDocument } from "../config/load.ts";
import { clone, isPlainObject, type JsonObject } from "../config/keypath.ts";
import { substituteEnv } from "../config/env.ts";
import { unknownKeyWarnings, validateDocument } from "../config/validate.ts";
import { writeConfigFile } from "../config/write.ts";
import type { MigrateReport, Problem } from "./migrate-types.ts";

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

/** Key paths of `doc` this version's schema does not know (taken from the one unknown-key walk). */
export function noEffectKeys(doc: JsonObject): string[] {
  return unknownKeyWarnings(doc, "-").map((w) => /^unknown config key "(.*)" in -/.exec(w)?.[1] ?? w);
}

/** `target` with every key it lacks copied from `source` (deep; arrays and values of `target` win). */
export function mergeMissing(target: JsonObject, source: JsonObject): JsonObject {
  const out = clone(target);
  for (const [k, v] of Object.entries(source)) {
    if (!(k in out)) out[k] = clone(v);
    else if (isPlainObject(out[k]) && isPlainObject(v)) out[k] = mergeMissing(out[k] as JsonObject, v);
  }
  return out;
}

function withExtensions(doc: JsonObject, extensions: readonly string[]): JsonObject {
  if (extensions.length === 0) return doc;
  const out = clone(doc);
  const plugins = isPlainObject(out.plugins) ? out.plugins : (out.plugins = {});
  const load = isPlainObject(plugins.load) ? plugins.load : (plugins.load = {});
  const paths = Array.isArray(load.paths) ? load.paths : (load.paths = []);
  for (const p of extensions) if (!paths.includes(p)) paths.push(p);
  return out;
}

export function migrateConfig(
  source: string | null,
  target: string,
  extensions: readonly string[],
  opts: { dryRun: boolean },
  problems: Problem[],
): MigrateReport["config"] {
  const none: MigrateReport["config"] = { source, action: "none", target, noEffect: [] };
  if (!source) return none;
  let doc: JsonObject;
  try {
    doc = readConfigDocument(source).raw;
  } catch (err) {
    problems.push({ path: source, problem: `${errorMessage(err)}; the config was not imported` });
    return none;
  }
  const noEffect = noEffectKeys(doc);
  if (real(source) === real(target)) return { source, action: "in-place", target, noEffect };
  let ours: ReturnType<typeof readConfigDocument>;
  try {
    ours = readConfigDocument(target);
  } catch (err) {
    problems.push({ path: target, problem: `${errorMessage(err)}; fix it, then run migrate again (the config was not imported)` });
    return { ...none, noEffect };
  }
  const next = withExtensions(ours.exists ? mergeMissing(ours.raw, doc) : doc, extensions);
  try {
    validateDocument(substituteEnv(clone(next), { env: process.env, onMissing: "keep" }), { ignoreUnresolvedRefs: true, source });
  } catch (err) {
    problems.push({ path: source, problem: `${errorMessage(err)}\nthe config was not imported: fix those keys in ${source} (or set them in ${target}), then run migrate again` });
    return { ...none, noEffect };
  }
  const changed = JSON.stringify(next) !== JSON.stringify(ours.raw);
  if (changed && !opts.dryRun) writeConfigFile(target, next);
  return { source, action: !changed ? "kept" : ours.exists ? "merged" : "written", target, noEffect };
}
