/**
 * The executor the runtime hands to tools. `withSandbox(executor)` is used as is; a sandbox config
 * is turned into an executor on first use. When none can be built, tools get an executor whose
 * every OS operation fails with the actionable `SandboxUnavailableError` (tools that do not touch
 * the OS keep working) — never a silent fall back to running unsandboxed.
 */
import type { SandboxConfig } from "../config/schema.ts";
import { errorMessage, SandboxUnavailableError } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";
import type { Executor, SandboxFs } from "../sandbox/executor.ts";

export function isExecutor(v: unknown): v is Executor {
  return !!v && typeof v === "object" && typeof (v as Executor).exec === "function" && typeof (v as Executor).status === "function";
}

export async function resolveExecutor(sandbox: Partial<SandboxConfig> | Executor | undefined, workspace: string | undefined, log: Logger): Promise<Executor> {
  if (isExecutor(sandbox)) return sandbox;
  const config = sandbox ?? {};
  try {
    const { buildExecutor } = await import("./sandbox-build.ts");
    return await buildExecutor(config, workspace, log);
  } catch (err) {
    const reason = errorMessage(err);
    log.warn("no sandbox executor; tools that touch the OS will be refused", { reason });
    return unavailableExecutor(config, reason);
  }
}

export function unavailableExecutor(config: Partial<SandboxConfig>, reason: string): Executor {
  const fail = async (): Promise<never> => {
    throw new SandboxUnavailableError(`tools cannot touch the system: ${reason}`);
  };
  const fs: SandboxFs = {
    root: "",
    resolve: fail,
    readFile: fail,
    writeFile: fail,
    stat: fail,
    list: fail,
    // eslint-disable-next-line require-yield
    walk: async function* () {
      await fail();
    },
  };
  return {
    level: config.level ?? "standard",
    networkAccess: config.networkAccess ?? false,
    fs,
    exec: fail,
    status: async () => ({ level: config.level ?? "standard", ok: false, reason }),
  };
}
