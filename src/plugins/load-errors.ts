/**
 * Errors of loading a plugin inside its process. The runner reports them to the host, which shows
 * them in `plugins.list` / `doctor`; the message names the plugin, what was wrong and the fix.
 */
import { ConfigError } from "../core/errors.ts";

/** The entry could not be imported, or its export is not a plugin, or its definition is invalid. */
export class PluginLoadError extends ConfigError {
  static override readonly type: string = "PluginLoadError";
}

/** An OpenClaw plugin used an `api.*` member (or SDK subpath) this runtime does not provide. */
export class PluginUnsupportedError extends ConfigError {
  static override readonly type: string = "PluginUnsupportedError";
}
