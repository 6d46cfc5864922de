/**
 * `onboard --install-daemon`: hands over to the daemon module's `installDaemon()`. The module
 * is loaded lazily; a build without it says so instead of failing obscurely.
 */
import { errorMessage } from "../core/errors.ts";

export interface DaemonInstallResult {
  ok: boolean;
  message: string;
  unitPath?: string;
}

interface DaemonModule {
  installDaemon(opts: { system?: boolean; print?: boolean }): Promise<DaemonInstallResult>;
}

export const DAEMON_UNAVAILABLE = "daemon install is not available in this build";

const isMissingModule = (err: unknown): boolean => /cannot find module|module not found/i.test(errorMessage(err)) && /daemon[/\\]install/.test(errorMessage(err));

/** Loaded only when --install-daemon is asked for; a literal specifier, so the binary bundles it. */
const loadDaemonModule = (): Promise<unknown> => import("../daemon/install.ts");

/** Runs the daemon module's installDaemon(), or says the build has none. `load` is a test seam. */
export async function installDaemonIfAvailable(opts: { system?: boolean } = {}, load: () => Promise<unknown> = loadDaemonModule): Promise<DaemonInstallResult> {
  let mod: DaemonModule;
  try {
    mod = (await load()) as DaemonModule;
  } catch (err) {
    if (isMissingModule(err)) return { ok: false, message: `${DAEMON_UNAVAILABLE}; run the gateway with: openclaw gateway run` };
    throw err;
  }
  try {
    return await mod.installDaemon({ ...(opts.system ? { system: true } : {}) });
  } catch (err) {
    return { ok: false, message: `installing the daemon failed: ${errorMessage(err)}; run the gateway with: openclaw gateway run` };
  }
}
