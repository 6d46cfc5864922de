/**
 * Runs a channel for the gateway process: `start()` begins the channel's start in the background
 * and returns at once (an unreachable remote service never holds up "listening", the probes or a
 * graceful stop); a start that throws is logged and the channel reports state `failed` with the
 * reason. Everything else is the channel's own (status, routes, stop).
 */
import type { Channel, ChannelRoute, ChannelStatus } from "../channels/channel.ts";
import { errorMessage } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";
import { redact } from "../core/secrets.ts";

export class ChannelRunner implements Channel {
  #startError: string | undefined;

  constructor(
    readonly inner: Channel,
    private readonly log: Logger,
  ) {}

  get id(): string {
    return this.inner.id;
  }

  /** Never throws and never waits for the remote side. */
  start(): Promise<void> {
    this.#startError = undefined;
    Promise.resolve()
      .then(() => this.inner.start())
      .catch((err: unknown) => {
        this.#startError = redact(errorMessage(err));
        this.log.error(`channel ${this.id} failed to start; the gateway keeps serving without it`, { error: this.#startError });
      });
    return Promise.resolve();
  }

  status(): ChannelStatus {
    const s = this.inner.status();
    if (this.#startError === undefined || s.state === "running") return s;
    return { ...s, running: false, state: "failed", lastError: this.#startError };
  }

  routes(): ChannelRoute[] {
    return this.inner.routes();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
}
