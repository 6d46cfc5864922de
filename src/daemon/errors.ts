import { OpenClawError } from "../core/errors.ts";

/**
 * A service-manager operation that could not be done (no systemd/launchd reachable, not root for
 * `--system`, a unit that is not installed). The message says why and what to run instead. Exit 1.
 */
export class DaemonError extends OpenClawError {
  static override readonly type: string = "DaemonError";
}

/** What every daemon verb suggests when no service manager can run the gateway here. */
export const FOREGROUND_HINT = "Run the gateway in the foreground instead: openclaw gateway run (or under your own supervisor, with the command in the unit)";
