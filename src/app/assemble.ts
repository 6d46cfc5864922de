/**
 * The composition root: from a loaded config, a store and the resolved auth, build the agents (one
 * runtime per configured agent, behind an `AgentRouter`), the channels (each given its configured
 * agent's runtime) and the gateway that serves them. Nothing here listens, connects or reads the
 * environment; `gateway-process.ts` does the process side (lock, signals, server, shutdown).
 *
 * Throws `ConfigError` for what only the config can fix: a refused sandbox setting, a misconfigured
 * channel, `channels.telegram.agentId` naming an agent that is not configured.
 */
import type { TelegramChannelOptions } from "../channels/telegram/bot.ts";
import { createChannels } from "../channels/registry.ts";
import { agentIds, MAIN_AGENT } from "../config/agents.ts";
import type { LoadedConfig } from "../config/load.ts";
import { ConfigError, errorMessage } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";
import type { Provider } from "../providers/types.ts";
import type { Fanout } from "../store/fanout.ts";
import type { Cluster } from "../store/cluster.ts";
import type { SessionStore } from "../store/types.ts";
import type { ResolvedAuth } from "../gateway/auth.ts";
import { FileConfigSource } from "../gateway/config-source.ts";
import { createGateway, type Gateway } from "../gateway/gateway.ts";
import { authRateLimit } from "./auth-rate-limit.ts";
import type { AgentRouter } from "./agent-router.ts";
import { buildAgents, type BuiltAgents } from "./build-agents.ts";
import { ChannelRunner } from "./channel-runner.ts";
import type { PluginHost } from "../plugins/host.ts";
import { buildPlugins } from "./plugins.ts";

export interface AssembleOptions {
  loaded: LoadedConfig;
  store: SessionStore;
  /** run events to and from other gateway nodes (store/open.ts openConfiguredFanout); default none */
  fanout?: Fanout;
  auth: ResolvedAuth;
  log: Logger;
  /** shown by the `status` method */
  stateDir?: string;
  version?: string;
  telegram?: TelegramChannelOptions;
  /** replaces each agent's model router (embedders) */
  provider?: (agentId: string) => Provider;
  /** the cluster the store is shared in (status shows it); the runtimes get it from gateway-process.ts */
  cluster?: Cluster;
}

export interface App {
  router: AgentRouter;
  /** each agent's executor and the combined sandbox status */
  agents: BuiltAgents;
  channels: ChannelRunner[];
  gateway: Gateway;
  /** started by gateway-process.ts before it listens, stopped after the channels */
  plugins: PluginHost;
}

export function assembleApp(o: AssembleOptions): App {
  const { config } = o.loaded;
  const agents = buildAgents(config, o.store, { log: o.log.child("agent"), ...(o.provider ? { provider: o.provider } : {}) });
  const router = agents.router;
  const plugins = buildPlugins(o.loaded, router, o.log.child("plugins"), o.stateDir);
  const channels = buildChannels(o, router);
  const gateway = createGateway({
    runtime: router,
    store: o.store,
    ...(o.fanout ? { fanout: o.fanout } : {}),
    config: new FileConfigSource(config, o.loaded.path),
    auth: o.auth,
    rateLimit: authRateLimit(config, o.log),
    channels,
    log: o.log,
    sandboxStatus: () => agents.sandboxStatus(),
    plugins,
    ...(o.cluster ? { cluster: o.cluster } : {}),
    ...(o.stateDir ? { stateDir: o.stateDir } : {}),
    ...(o.version ? { version: o.version } : {}),
  });
  return { router, agents, channels, gateway, plugins };
}

function buildChannels(o: AssembleOptions, router: AgentRouter): ChannelRunner[] {
  const { config } = o.loaded;
  const log = o.log.child("channels");
  const tgAgent = config.channels.telegram?.agentId ?? MAIN_AGENT;
  if (!router.agentIds().includes(tgAgent)) {
    throw new ConfigError(
      `channels.telegram.agentId: unknown agent "${tgAgent}"; configured agents: ${agentIds(config).join(", ")} (define agents.entries.${tgAgent} or change channels.telegram.agentId)`,
    );
  }
  try {
    const ctx = { config, runtime: router.get(tgAgent), store: o.store, log };
    return createChannels(ctx, o.telegram ? { telegram: o.telegram } : {}).map((ch) => new ChannelRunner(ch, log));
  } catch (err) {
    if (err instanceof ConfigError) throw err; // a misconfigured channel is fixed in the config, not ignored
    log.error("channels could not be created; the gateway runs without them", { error: errorMessage(err) });
    return [];
  }
}
