/**
 * `openclaw doctor`: every check in order, each `{id, status, message, fix?}`. With `fix`, a
 * non-ok check that has a safe repair is repaired and checked again; the repair is reported on
 * the result (`repaired`) and in `repairs`. With `deep`, checks that need the network (provider
 * key, Telegram getMe) make one request each. Never throws for a problem it finds.
 */
import { loadConfig } from "../config/load.ts";
import { configPath, stateDir } from "../config/paths.ts";
import { ConfigSchema } from "../config/schema.ts";
import { ConfigError, errorMessage } from "../core/errors.ts";
import { redact } from "../core/secrets.ts";
import { bindAuthCheck, tokenCheck } from "./checks/auth.ts";
import { daemonCheck } from "./checks/daemon.ts";
import { databaseCheck } from "./checks/database.ts";
import { configPermissions, configValid, credentialsDirCheck, stateDirCheck, tokenFilePermissions } from "./checks/files.ts";
import { portCheck } from "./checks/port.ts";
import { providerCheck } from "./checks/provider.ts";
import { pluginsCheck } from "./checks/plugins.ts";
import { sandboxCheck } from "./checks/sandbox.ts";
import { telegramCheck } from "./checks/telegram.ts";
import { fail, type Check, type CheckResult, type DoctorContext } from "./checks/types.ts";

export type { CheckResult } from "./checks/types.ts";

/** In the order they are shown: files first (the rest depends on them), the network last. */
export const CHECKS: readonly Check[] = [
  configValid,
  configPermissions,
  stateDirCheck,
  credentialsDirCheck,
  tokenCheck,
  tokenFilePermissions,
  bindAuthCheck,
  databaseCheck,
  portCheck,
  providerCheck,
  telegramCheck,
  sandboxCheck,
  pluginsCheck,
  daemonCheck,
];

export interface DoctorOptions {
  fix?: boolean;
  deep?: boolean;
  env?: Record<string, string | undefined>;
  execPath?: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
  repairs: string[];
}

export function doctorContext(opts: DoctorOptions = {}): DoctorContext {
  const env = opts.env ?? process.env;
  const base = { configPath: configPath(), stateDir: stateDir(), deep: opts.deep === true, env, execPath: opts.execPath ?? process.execPath };
  try {
    const loaded = loadConfig({ env });
    const configWarnings = loaded.warnings.filter((w) => !w.startsWith(`config file ${loaded.path} has mode`)); // the permissions check says it
    return { ...base, config: loaded.config, configExists: loaded.exists, configWarnings, envOverrides: loaded.envOverrides };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { ...base, config: ConfigSchema.parse({}), configExists: true, configError: err.message, configWarnings: [], envOverrides: [] };
  }
}

async function runOne(check: Check, ctx: DoctorContext): Promise<CheckResult[]> {
  try {
    const r = await check.run(ctx);
    return Array.isArray(r) ? r : [r];
  } catch (err) {
    return [fail(check.id, `the check itself failed: ${redact(errorMessage(err))}`)];
  }
}

export async function runDoctor(opts: DoctorOptions = {}): Promise<DoctorReport> {
  const ctx = doctorContext(opts);
  const checks: CheckResult[] = [];
  const repairs: string[] = [];
  for (const check of CHECKS) {
    let results = await runOne(check, ctx);
    const broken = results.length === 1 && results[0]!.status !== "ok" ? results[0]! : null;
    if (opts.fix && check.repair && broken) {
      try {
        const did = await check.repair(ctx, broken);
        if (did) {
          repairs.push(did);
          results = (await runOne(check, ctx)).map((r) => ({ ...r, repaired: did }));
        }
      } catch (err) {
        results = [{ ...broken, message: `${broken.message} (--fix failed: ${redact(errorMessage(err))})` }];
      }
    }
    checks.push(...results);
  }
  return { ok: checks.every((c) => c.status !== "fail"), checks, repairs };
}
