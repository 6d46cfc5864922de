/**
 * The one place the gateway creates channel adapters (the channel registry decides which are
 * configured). Kept separate so `run.ts` does not know about any particular channel.
 */
import type { Channel, ChannelContext } from "../channels/channel.ts";
import { createChannels } from "../channels/registry.ts";

export function gatewayChannels(ctx: ChannelContext): Channel[] {
  return createChannels(ctx);
}
