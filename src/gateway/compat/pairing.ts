/**
 * Device admission after the credential passed: a device's signature is verified (device.ts);
 * a known, approved device gets the scopes it was approved with (never more than the credential
 * grants); an unknown device on loopback is approved at once and given its device token in
 * hello-ok; elsewhere it is recorded as pending and refused with 1008 "pairing required" until
 * `openclaw devices approve <id>`. A rejected device stays refused. A client without a device
 * identity is admitted on the shared token alone (the token is the gateway's root credential).
 */
import { sourceOf } from "../../core/ratelimit.ts";
import type { Admission } from "../codec.ts";
import type { ClientError } from "../client-error.ts";
import type { Scope } from "../rpc/method.ts";
import { verifyDevice, type DeviceClaim, type SignedFields } from "./device.ts";
import type { DeviceStore } from "./device-store.ts";
import { oursOf } from "./handshake.ts";

const notPaired = (message: string, details: unknown): ClientError => ({ type: "PairingRequiredError", code: -32002, message, details });
const refused = (message: string): ClientError => ({ type: "UnauthorizedError", code: -32001, message });

export interface DeviceAdmission {
  store: DeviceStore;
  claim: DeviceClaim;
  /** the fields the client may have signed, one set per token it may have bound */
  signed: SignedFields[];
  requested: readonly string[];
  now: number;
}

export function admitDevice(a: DeviceAdmission, ip: string, nonce: string | null, granted: ReadonlySet<Scope>, state: Record<string, unknown>): Admission {
  const check = a.signed.map((f) => verifyDevice(a.claim, f, nonce, a.now)).find((c) => c.ok) ?? verifyDevice(a.claim, a.signed[0]!, nonce, a.now);
  if (!check.ok) return { ok: false, error: refused(check.reason), closeReason: "device identity refused" };
  const rec = a.store.get(a.claim.id);
  if (rec?.status === "approved") {
    const approved = oursOf(rec.scopes);
    // approved by `openclaw devices approve`: the device learns its token now, in hello-ok
    const issued = rec.tokenDigest ? {} : { deviceToken: a.store.issueToken(rec.id) };
    return { ok: true, scopes: new Set([...granted].filter((s) => approved.has(s))), state: { ...state, ...issued } };
  }
  if (rec?.status === "rejected") {
    return { ok: false, error: notPaired("this device was rejected; `openclaw devices approve <id>` on the gateway host admits it", { code: "PAIRING_REJECTED", deviceId: a.claim.id }), closeReason: "pairing required" };
  }
  const fields = a.signed[0]!;
  const scopes = a.requested.length > 0 ? [...a.requested] : ["operator.read", "operator.write", "operator.admin"];
  const base = { id: a.claim.id, publicKey: a.claim.publicKey, clientId: fields.clientId, platform: fields.platform ?? "", ip, role: fields.role, scopes, createdAt: rec?.createdAt ?? a.now };
  if (sourceOf(ip) === "loopback") {
    a.store.put({ ...base, status: "approved", decidedAt: a.now });
    return { ok: true, scopes: granted, state: { ...state, deviceToken: a.store.issueToken(a.claim.id) } };
  }
  a.store.put({ ...base, status: "pending" });
  return {
    ok: false,
    error: notPaired(`pairing required: approve this device on the gateway host with \`openclaw devices approve ${a.claim.id.slice(0, 12)}\``, { code: "PAIRING_REQUIRED", deviceId: a.claim.id }),
    closeReason: "pairing required",
  };
}
