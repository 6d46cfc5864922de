/**
 * `openclaw pairing list [channel] | approve <channel> <code> | deny <channel> <code>`. Through the
 * running gateway's pairing.* methods when it is up, on the store file directly when it is not
 * (ops/pairing.ts), so it works either way and never meets the gateway's write lock. `--all` lists
 * decided and expired requests too. `--json` output carries `source: "gateway" | "store"`.
 */
import { defineCommand } from "citty";
import { PAIRING_CHANNELS, type PairingView } from "../pairing/requests.ts";
import { UsageError, loadCliConfig, output } from "./output.ts";

function checkChannel(channel: string): string {
  const c = channel.trim().toLowerCase();
  if (!PAIRING_CHANNELS.includes(c)) throw new UsageError(`unknown channel "${channel}"; channels with pairing: ${PAIRING_CHANNELS.join(", ")}`);
  return c;
}

function describe(r: PairingView): string {
  const who = [r.meta.name, r.meta.username ? `@${r.meta.username}` : null].filter(Boolean).join(" ");
  const mins = Math.max(0, Math.round((r.expiresAt - Date.now()) / 60_000));
  const state = r.status === "pending" ? (r.expired ? "expired" : `pending, ${mins} min left`) : r.status;
  return `${r.channel}  ${r.code}  user ${r.peerId}${who ? ` (${who})` : ""}  ${state}`;
}

const list = defineCommand({
  meta: { name: "list", description: "List pending pairing requests" },
  args: {
    channel: { type: "positional", required: false, description: "only this channel (telegram)" },
    all: { type: "boolean", description: "include approved, denied and expired requests" },
  },
  async run({ args }) {
    const channel = args.channel ? checkChannel(String(args.channel)) : undefined;
    const { config } = await loadCliConfig();
    const { listPairingRequests } = await import("../ops/pairing.ts");
    const { source, requests: rows } = await listPairingRequests(channel, { all: args.all === true }, { config });
    output(() => (rows.length ? rows.map(describe).join("\n") : "no pending pairing requests"), { source, requests: rows });
  },
});

function decideCommand(name: "approve" | "deny") {
  return defineCommand({
    meta: { name, description: name === "approve" ? "Approve a pairing code: the sender may talk to the agent" : "Deny a pairing code" },
    args: {
      channel: { type: "positional", required: true, description: "telegram" },
      code: { type: "positional", required: true, description: "the code the sender received" },
    },
    async run({ args }) {
      const channel = checkChannel(String(args.channel));
      const { config } = await loadCliConfig();
      const { decidePairing } = await import("../ops/pairing.ts");
      const { source, request: rec } = await decidePairing(name, channel, String(args.code), { config });
      output(`${name === "approve" ? "approved" : "denied"}: ${channel} user ${rec.peerId}`, { source, request: rec });
    },
  });
}

export const command = defineCommand({
  meta: { name: "pairing", description: "List, approve and deny channel pairing requests" },
  subCommands: { list, approve: decideCommand("approve"), deny: decideCommand("deny") },
});
