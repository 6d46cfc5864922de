/**
 * `openclaw devices list [--all] | approve <id> | reject <id> | revoke <id>`: OpenClaw clients'
 * device pairing (ops/devices.ts). An id may be shortened to an unambiguous prefix of 8+ characters.
 * Approve admits the device at its next connect (it gets its device token then); reject keeps it
 * out; revoke forgets it and its token (it must pair again).
 */
import { defineCommand } from "citty";
import type { DeviceAction, DeviceView } from "../ops/devices.ts";
import { output } from "./output.ts";

function describe(d: DeviceView): string {
  const seen = new Date(d.createdAt).toISOString();
  return `${d.id.slice(0, 12)}  ${d.status}  ${d.clientId}/${d.platform || "?"}  from ${d.ip}  scopes ${d.scopes.join(",") || "-"}  since ${seen}`;
}

const list = defineCommand({
  meta: { name: "list", description: "List paired and pending devices" },
  args: { all: { type: "boolean", description: "include rejected devices" } },
  async run({ args }) {
    const { listDevices } = await import("../ops/devices.ts");
    const devices = listDevices({ all: args.all === true });
    output(() => (devices.length ? devices.map(describe).join("\n") : "no devices"), { devices });
  },
});

function decide(action: DeviceAction, description: string) {
  return defineCommand({
    meta: { name: action, description },
    args: { id: { type: "positional", required: true, description: "the device id (or 8+ leading characters of it)" } },
    async run({ args }) {
      const { decideDevice } = await import("../ops/devices.ts");
      const device = decideDevice(action, String(args.id));
      const done = { approve: "approved", reject: "rejected", revoke: "revoked" }[action];
      output(`${done}: ${describe(device)}`, { device });
    },
  });
}

export const command = defineCommand({
  meta: { name: "devices", description: "List, approve, reject and revoke OpenClaw client devices" },
  subCommands: {
    list,
    approve: decide("approve", "Approve a device: it connects and gets its device token"),
    reject: decide("reject", "Reject a device: it stays refused"),
    revoke: decide("revoke", "Revoke a device: forget it and its token (it must pair again)"),
  },
});
