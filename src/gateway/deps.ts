/**
 * What the gateway is built from. `GatewayRuntime` is the part of `AgentRuntime`
 * (agent/runtime.ts) the gateway uses, written out so the gateway can be tested against any
 * runtime with that shape; the real class satisfies it structurally.
 */
import type { AgentEvent, RunHandle, RunInfo, RunInput } from "../agent/types.ts";
import type { Channel } from "../channels/channel.ts";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../core/log.ts";
import type { RateLimitOptions } from "../core/ratelimit.ts";
import type { ToolSpec } from "../providers/types.ts";
import type { PluginInfo } from "../plugins/host.ts";
import type { Fanout } from "../store/fanout.ts";
import type { Cluster } from "../store/cluster.ts";
import type { SessionStore } from "../store/types.ts";
import type { ResolvedAuth } from "./auth.ts";
import type { Codec } from "./codec.ts";
import type { OpenClawCodecOptions } from "./compat/codec.ts";
import type { DashboardAuthOptions } from "./dashboard-auth.ts";
import type { StaticAsset } from "./static.ts";

export interface GatewayRuntime {
  readonly store: SessionStore;
  start(input: RunInput): Promise<RunHandle>;
  abort(target: { runId?: string; sessionKey?: string }): boolean;
  onEvent(listener: (event: AgentEvent) => void): () => void;
  runs(): RunInfo[];
  toolSpecs(): ToolSpec[];
  /** change `tools.allow` / `tools.deny` while running (config.patch applies them live when present) */
  setToolPolicy?(policy: { allow?: readonly string[]; deny?: readonly string[] }): unknown;
  resetSession(sessionKey: string): Promise<void>;
  /** abort the session's runs, wait for them to end, then delete it (false: there was none) */
  deleteSession(sessionKey: string): Promise<boolean>;
  shutdown(graceMs: number): Promise<void>;
  /** sizes of the runtime's bounded tables (lanes, handles, idempotency map, history cache) for gateway.memory */
  memoryStats?(): Record<string, number>;
}

/** What the gateway asks of the plugin host (plugins/host.ts PluginHost satisfies it). */
export interface PluginsControl {
  list(): PluginInfo[];
  restart(id: string): Promise<PluginInfo>;
}

/** The live config and the one way to change it (validated, written atomically). */
export interface ConfigSource {
  get(): Config;
  /** Merge-patch (`null` deletes), validate, write atomically; returns the new config. Throws ConfigError. */
  patch(patch: Record<string, unknown>): Promise<Config>;
}

export interface SandboxStatus {
  level: string;
  available: boolean;
  detail?: string;
}

export interface GatewayDeps {
  runtime: GatewayRuntime;
  /** default: runtime.store */
  store?: SessionStore;
  config: ConfigSource;
  auth: ResolvedAuth;
  channels?: Channel[];
  version?: string;
  log?: Logger;
  rateLimit?: Partial<RateLimitOptions>;
  sandboxStatus?: () => SandboxStatus | Promise<SandboxStatus>;
  /**
   * Apply changed config keys that are safe to change while running (beyond the gateway's own);
   * returns the keys it applied. Keys neither side applies are reported as needing a restart.
   */
  hotApply?: (config: Config, changedKeys: string[]) => string[];
  /** for the status method */
  stateDir?: string;
  /** how long a WebSocket may stay unauthenticated; default 5000 ms */
  authTimeoutMs?: number;
  /** the dashboard's files; default: the embedded assets (src/generated/embedded.ts) */
  assets?: readonly StaticAsset[];
  /** dashboard login codes and sessions: lifetimes, bounds, the clock (tests pass a fake one) */
  dashboardAuth?: Partial<DashboardAuthOptions>;
  /** the plugin host (plugins.list, plugins.restart, status); absent: no plugin methods data */
  plugins?: PluginsControl;
  /** the cluster this node is part of (status shows its node id, nodes alive, leases held here) */
  cluster?: Cluster;
  /** wire formats tried before JSON-RPC on a WebSocket's first frame (the OpenClaw codec, gateway/compat/) */
  codecs?: readonly Codec[];
  /** run events to and from the other gateway nodes on one database (store/fanout.ts); default: none (one node) */
  fanout?: Fanout;
  /** OpenClaw clients: tick interval and clock (tests inject), handshake timeout (default 15 s) */
  openclaw?: OpenClawCodecOptions & { handshakeTimeoutMs?: number };
}
