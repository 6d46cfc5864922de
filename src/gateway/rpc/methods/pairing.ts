/** pairing.list, pairing.approve, pairing.deny: the same functions the bot and `openclaw pairing` use. */
import { z } from "zod";
import { approvePairing, denyPairing, listPairings } from "../../../pairing/requests.ts";
import type { Gateway } from "../../gateway.ts";
import { defineMethod, type MethodDef } from "../method.ts";

const channel = z.string().min(1).max(64);
const ListParams = z.strictObject({ channel: channel.optional(), all: z.boolean().default(false) });
const DecideParams = z.strictObject({ channel, code: z.string().min(1).max(32) });

export function pairingMethods(gw: Gateway): MethodDef[] {
  return [
    defineMethod({
      name: "pairing.list",
      scope: "admin",
      params: ListParams,
      handler: async (p) => ({
        requests: await listPairings(gw.store, p.channel, { all: p.all }),
      }),
    }),
    // An unknown or expired code is NotFoundError (-32003), which names the code and how to list pending ones.
    defineMethod({
      name: "pairing.approve",
      scope: "admin",
      params: DecideParams,
      handler: async (p) => ({ request: await approvePairing(gw.store, p.channel, p.code) }),
    }),
    defineMethod({
      name: "pairing.deny",
      scope: "admin",
      params: DecideParams,
      handler: async (p) => ({ request: await denyPairing(gw.store, p.channel, p.code) }),
    }),
  ];
}
