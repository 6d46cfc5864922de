/**
 * A doctor check and what it needs. A check never throws: whatever goes wrong becomes its own
 * `fail` (or `warn`) result with the exact fix. `repair` exists only where the repair is safe
 * (permissions, a missing token, missing folders); it returns what it did, and the check is run
 * again afterwards so the reported status is the state after the repair.
 */
import { z } from "zod";
import type { Config } from "../../config/schema.ts";

export const CheckStatusSchema = z.enum(["ok", "warn", "fail"]);
export const CheckResultSchema = z.object({
  id: z.string(),
  status: CheckStatusSchema,
  message: z.string(),
  /** the exact command or config change that fixes it */
  fix: z.string().optional(),
  /** what `--fix` did, when it repaired this check */
  repaired: z.string().optional(),
});
export type CheckStatus = z.infer<typeof CheckStatusSchema>;
export type CheckResult = z.infer<typeof CheckResultSchema>;

export interface DoctorContext {
  /** the effective config; the defaults when the file is invalid (the config check then fails) */
  config: Config;
  configPath: string;
  configExists: boolean;
  /** why the config could not be loaded (ConfigError message), when it could not */
  configError?: string;
  /** load warnings (unknown keys, plugin paths); the permission warning is the config-permissions check's */
  configWarnings: string[];
  stateDir: string;
  /** env variables that overrode file values (config/env.ts) */
  envOverrides: string[];
  deep: boolean;
  env: Record<string, string | undefined>;
  /** the binary a daemon unit should run */
  execPath: string;
}

export interface Check {
  id: string;
  /** one result, or one per item (a result per provider) */
  run(ctx: DoctorContext): CheckResult | CheckResult[] | Promise<CheckResult | CheckResult[]>;
  /** a safe repair for a non-ok result; returns a one-line description of what it did */
  repair?(ctx: DoctorContext, result: CheckResult): string | null | Promise<string | null>;
}

export const ok = (id: string, message: string): CheckResult => ({ id, status: "ok", message });
export const warn = (id: string, message: string, fix?: string): CheckResult => ({ id, status: "warn", message, ...(fix ? { fix } : {}) });
export const fail = (id: string, message: string, fix?: string): CheckResult => ({ id, status: "fail", message, ...(fix ? { fix } : {}) });

export function modeString(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, "0");
}
