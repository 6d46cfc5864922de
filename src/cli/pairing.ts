/**
 * `openclaw pairing list [channel] | approve <channel> <code> | deny <channel> <code>`. Works on the
 * store file directly, so it needs no running gateway (the gateway reads approvals from the same
 * database on the next message). `--all` lists decided and expired requests too.
 */
import { defineCommand } from "citty";
import { approvePairing, denyPairing, listPairings, PAIRING_CHANNELS, type PairingView } from "../pairing/requests.ts";
import type { SessionStore } from "../store/types.ts";
import { UsageError, output } from "./output.ts";

function checkChannel(channel: string): string {
  const c = channel.trim().toLowerCase();
  if (!PAIRING_CHANNELS.includes(c)) throw new UsageError(`unknown channel "${channel}"; channels with pairing: ${PAIRING_CHANNELS.join(", ")}`);
  return c;
}

async function withStore<T>(fn: (store: SessionStore) => Promise<T>): Promise<T> {
  const { openStore } = await import("../store/sqlite.ts");
  const store = await openStore();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
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
    const rows = await withStore((s) => listPairings(s, channel, { all: args.all === true }));
    output(() => (rows.length ? rows.map(describe).join("\n") : "no pending pairing requests"), { requests: rows });
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
      const fn = name === "approve" ? approvePairing : denyPairing;
      const rec = await withStore((s) => fn(s, channel, String(args.code)));
      output(`${name === "approve" ? "approved" : "denied"}: ${channel} user ${rec.peerId}`, { request: rec });
    },
  });
}

export const command = defineCommand({
  meta: { name: "pairing", description: "List, approve and deny channel pairing requests" },
  subCommands: { list, approve: decideCommand("approve"), deny: decideCommand("deny") },
});
