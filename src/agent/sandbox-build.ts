/**
 * Builds the executor for a sandbox config. Loaded lazily by executor.ts so the library does not
 * pull the sandbox implementation in until a tool needs it.
 */
import type { SandboxConfig } from "../config/schema.ts";
import { SandboxUnavailableError } from "../core/errors.ts";
import type { Executor } from "../sandbox/executor.ts";

export async function buildExecutor(_config: Partial<SandboxConfig>, _workspace: string | undefined): Promise<Executor> {
  throw new SandboxUnavailableError("no sandbox implementation is available in this build; pass an Executor to withSandbox()");
}
