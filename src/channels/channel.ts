/**
 * A channel adapter (Telegram now; others later). The composition root (app/assemble.ts) builds
 * each channel with its configured agent's runtime and the shared store, and the gateway process
 * (app/gateway-process.ts) starts it in the background and stops it on shutdown; the gateway only
 * mounts its routes and reports its status. Channels reach the agent only through `AgentRuntime`
 * (agent/runtime.ts) and the store only through `SessionStore`; they never import gateway/.
 */
import type { AgentRuntime } from "../agent/runtime.ts";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../core/log.ts";
import type { SessionStore } from "../store/types.ts";

export interface ChannelContext {
  config: Config;
  /** the runtime of the agent this channel talks to (`channels.telegram.agentId`, default main) */
  runtime: AgentRuntime;
  store: SessionStore;
  log: Logger;
}

/**
 * Where a channel is in its life: `starting` (connecting for the first time), `running` (receiving),
 * `retrying` (a connect or receive failed; it tries again with backoff, `lastError` says why),
 * `failed` (gave up, or a failure no retry fixes, such as a refused token), `stopped`.
 */
export type ChannelState = "starting" | "running" | "retrying" | "failed" | "stopped";

export interface ChannelStatus {
  id: string;
  enabled: boolean;
  /** true only in state `running` */
  running: boolean;
  state: ChannelState;
  mode?: string;
  /** bot username etc. */
  account?: string;
  /** the bot's username without the `@` (Telegram, once connected) */
  botUsername?: string;
  /** when the channel last received an update (ISO time) */
  lastUpdateAt?: string;
  /** the senders the channel admits by its config (ids as strings; `*` as given), as it runs now */
  allowFrom?: string[];
  lastError?: string;
  details?: Record<string, unknown>;
}

/**
 * An HTTP route a channel mounts on the gateway (e.g. a Telegram webhook). No gateway auth is
 * applied; the channel checks its own secret. The gateway passes the client's address as
 * `peer.address` (the socket's, never a forwarded header) so failures can be limited per source.
 */
export interface ChannelRoute {
  method: "POST" | "GET";
  path: string;
  handle(request: Request, peer?: { address?: string }): Promise<Response>;
}

export interface Channel {
  readonly id: string;
  /**
   * Begin connecting and return at once: the first contact with the remote service happens in the
   * background with bounded retries (state `starting` → `running`, or `retrying` / `failed`), so an
   * unreachable service never holds up the gateway's start. Throws only for a local misconfiguration.
   */
  start(): Promise<void>;
  /** Stop receiving, let in-flight replies finish or time out, release the poller. */
  stop(): Promise<void>;
  status(): ChannelStatus;
  routes(): ChannelRoute[];
}
