/**
 * The plugin process under the tools' sandbox machinery (sandbox/bwrap-args.ts): bubblewrap at the
 * `standard` level — read-only host root, empty tmpfs over $HOME, /tmp and the state dir, every
 * secret path of this gateway (config, database + -wal/-shm, token, logs, credential files) and of
 * other gateways masked (sandbox/masks.ts), `--die-with-parent`, `--cap-drop ALL`. Writable: only
 * the plugin's data dir (`<state dir>/plugins-data/<id>`), which is also its HOME and cwd. The
 * plugin's own directory and the runner (the binary, or bun + this checkout from source) are bound
 * read-only. Network: on unless `plugins.entries.<id>.sandbox.network` is false.
 *
 * The environment is explicit (sandbox/env.ts toolEnv: PATH, HOME, LANG, TERM; nothing that looks
 * like a secret), so no provider key, gateway token or Telegram token reaches a plugin.
 */
import { realpathSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SandboxUnavailableError } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";
import { bwrapArgs } from "../sandbox/bwrap-args.ts";
import { toolEnv } from "../sandbox/env.ts";
import { execMasks } from "../sandbox/masks.ts";
import { findBwrap, PATH_DEFAULT } from "../sandbox/probe.ts";
import { PLUGIN_RUNNER_ARG } from "./runner-arg.ts";

export interface PluginSandboxOptions {
  pluginDir: string;
  dataDir: string;
  stateDir: string;
  home: string;
  networkAccess: boolean;
  /** this gateway's secret paths (sandbox/secret-paths.ts) */
  secretPaths: readonly string[];
  hostEnv: Record<string, string | undefined>;
  log: Logger;
  /** the runner's command line outside the sandbox; default `runnerCommand()` */
  runner?: RunnerCommand;
  /** instance registry folders (tests) */
  registryDirs?: string[];
}

export interface RunnerCommand {
  argv: string[];
  /** host paths the runner needs, bound read-only at the same path */
  binds: string[];
}

export interface SandboxedCommand {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

/** How to start a runner from this process: the compiled binary re-executes itself; from source, bun runs src/main.ts. */
export function runnerCommand(execPath: string = process.execPath, moduleUrl: string = import.meta.url): RunnerCommand {
  const exe = realpathSync(execPath);
  if (moduleUrl.includes("/$bunfs/")) return { argv: [exe, PLUGIN_RUNNER_ARG], binds: [exe] };
  const main = realpathSync(fileURLToPath(new URL("../main.ts", moduleUrl)));
  const checkout = dirname(dirname(main));
  // --no-install: from source, Bun would otherwise auto-install a package the plugin imports but lacks
  return { argv: [exe, "--no-install", main, PLUGIN_RUNNER_ARG], binds: [exe, checkout] };
}

export function sandboxedRunner(o: PluginSandboxOptions): SandboxedCommand {
  const found = findBwrap(undefined, o.hostEnv.PATH || PATH_DEFAULT);
  if ("error" in found) throw new SandboxUnavailableError(`plugins run under bubblewrap and it cannot be used: ${found.error}`);
  const runner = o.runner ?? runnerCommand();
  const dataDir = realpathSync(o.dataDir);
  const pluginDir = realpathSync(o.pluginDir);
  const roBinds: [string, string][] = [...runner.binds, pluginDir].map((p) => [p, p]);
  const masks = execMasks({ secretPaths: o.secretPaths, networkAccess: o.networkAccess, ...(o.registryDirs ? { registryDirs: o.registryDirs } : {}) })
    // the plugin's own folders stay visible even when they sit inside a masked folder
    .filter((m) => ![dataDir, pluginDir, ...runner.binds].some((p) => p === m || p.startsWith(`${m}/`)));
  const argv = bwrapArgs({
    level: "standard",
    networkAccess: o.networkAccess,
    allowedPaths: [dataDir],
    home: resolve(o.home),
    stateDir: resolve(o.stateDir),
    cwd: dataDir,
    tmpfsBytes: 64 << 20,
    roBinds,
    masks,
    command: runner.argv,
  });
  const env = toolEnv({ path: o.hostEnv.PATH || PATH_DEFAULT, home: dataDir, envAllow: [], hostEnv: o.hostEnv, log: o.log });
  return { argv: [found.path, ...argv], env: { ...env, NO_COLOR: "1" }, cwd: dataDir };
}
