/**
 * The plugin host as the gateway runs it: discovery from the config and the state dir, one host
 * whose hooks and tools go to every agent's runtime, and its chat commands on every runtime (so
 * Telegram and `chat.send` both answer them). `gateway-process.ts` starts it before the server
 * listens (a plugin's hooks apply from the first message; each start is bounded by the init
 * timeout and a failing plugin never stops the gateway) and stops it after the channels.
 */
import { homedir } from "node:os";
import type { LoadedConfig } from "../config/load.ts";
import { stateDir as defaultStateDir } from "../config/paths.ts";
import type { Logger } from "../core/log.ts";
import { redactValue } from "../core/secrets.ts";
import { pluginCommands } from "../plugins/commands.ts";
import { discoverPlugins } from "../plugins/discover.ts";
import { PluginHost } from "../plugins/host.ts";
import { secretPaths } from "../sandbox/secret-paths.ts";
import type { AgentRouter } from "./agent-router.ts";

export function buildPlugins(loaded: LoadedConfig, router: AgentRouter, log: Logger, stateDir: string = defaultStateDir()): PluginHost {
  const { config } = loaded;
  const candidates = discoverPlugins({ config, configFile: loaded.path, stateDir });
  const targets = router.agentIds().map((id) => router.get(id));
  const host = new PluginHost({
    candidates, targets, stateDir, home: homedir(), secretPaths: secretPaths(config, stateDir), config: redactValue(config), log,
    timeoutMs: config.plugins.timeoutMs,
  });
  const commands = pluginCommands(host);
  for (const rt of targets) rt.withCommands(commands);
  return host;
}
