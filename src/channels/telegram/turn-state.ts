/**
 * What the access gate worked out for an update (`TurnState`), carried on this channel's grammY
 * context (`TgContext`, as `ctx.oc`) to the handlers and commands.
 */
import type { Context } from "grammy";
import type { HandleResult } from "./delivery.ts";
import type { SendTarget } from "./send.ts";

export interface TurnState {
  updateId: number;
  sessionKey: string;
  target: SendTarget;
  /** sender's user id as text */
  peer: string;
  /** message text (or caption) with a leading @botname removed */
  text: string;
  /** set by a handler that wants the update left pending (shutdown) */
  result: HandleResult;
}

export type TgContext = Context & { oc: TurnState };
