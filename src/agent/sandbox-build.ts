/**
 * Builds the executor for a sandbox config given to `withSandbox({...})`. Loaded lazily by
 * tool-executor.ts so the sandbox implementation is only pulled in when a tool first needs it.
 */
import type { SandboxConfig } from "../config/schema.ts";
import type { Logger } from "../core/log.ts";
import type { Executor } from "../sandbox/executor.ts";
import { createSandboxExecutor } from "../sandbox/create-executor.ts";

export async function buildExecutor(config: Partial<SandboxConfig>, workspace: string | undefined, log: Logger): Promise<Executor> {
  return createSandboxExecutor(config, { ...(workspace ? { workspace } : {}), log: log.child("sandbox") });
}
