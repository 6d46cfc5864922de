/**
 * A channel adapter (Telegram now; others later). The gateway's `run` command creates the store,
 * the runtime and the channels, starts them, and stops them on shutdown. Channels reach the agent
 * only through `AgentRuntime` (agent/runtime.ts) and the store only through `SessionStore`.
 */
import type { AgentRuntime } from "../agent/runtime.ts";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../core/log.ts";
import type { SessionStore } from "../store/types.ts";

export interface ChannelContext {
  config: Config;
  runtime: AgentRuntime;
  store: SessionStore;
  log: Logger;
}

export interface ChannelStatus {
  id: string;
  enabled: boolean;
  running: boolean;
  mode?: string;
  /** bot username etc. */
  account?: string;
  lastError?: string;
  details?: Record<string, unknown>;
}

/** An HTTP route a channel mounts on the gateway (e.g. a Telegram webhook). No gateway auth is applied; the channel checks its own secret. */
export interface ChannelRoute {
  method: "POST" | "GET";
  path: string;
  handle(request: Request): Promise<Response>;
}

export interface Channel {
  readonly id: string;
  start(): Promise<void>;
  /** Stop receiving, let in-flight replies finish or time out, release the poller. */
  stop(): Promise<void>;
  status(): ChannelStatus;
  routes(): ChannelRoute[];
}
