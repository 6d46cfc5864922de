/**
 * What `openclaw devices list|approve|reject|revoke` does: the paired OpenClaw devices in the state
 * dir's `devices/devices.json` (gateway/compat/device-store.ts). The gateway reads that file on
 * every connect, so a decision here applies at the device's next connect, gateway running or not.
 */
import { DeviceStore, type DeviceRecord } from "../gateway/compat/device-store.ts";

/** A device as the CLI shows it: never the token digest. */
export type DeviceView = Omit<DeviceRecord, "tokenDigest" | "publicKey"> & { hasToken: boolean };

const view = ({ tokenDigest, publicKey: _k, ...rest }: DeviceRecord): DeviceView => ({ ...rest, hasToken: tokenDigest !== undefined });

export function listDevices(opts: { all?: boolean; path?: string } = {}): DeviceView[] {
  const all = new DeviceStore(opts.path).list();
  return (opts.all ? all : all.filter((d) => d.status !== "rejected")).map(view);
}

export type DeviceAction = "approve" | "reject" | "revoke";

export function decideDevice(action: DeviceAction, id: string, opts: { path?: string; now?: number } = {}): DeviceView {
  const store = new DeviceStore(opts.path);
  const now = opts.now ?? Date.now();
  if (action === "approve") return view(store.approve(id, now));
  if (action === "reject") return view(store.reject(id, now));
  return view(store.revoke(id));
}
