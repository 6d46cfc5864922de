/**
 * OpenClaw device identity: an Ed25519 key pair; the device id is the SHA-256 (hex) of the raw
 * 32-byte public key (sent base64url). At connect the device signs a payload that binds the
 * challenge nonce and the connect fields (OpenClaw's payload v3:
 * `v3|deviceId|clientId|clientMode|role|scopes|signedAtMs|token|nonce|platform|deviceFamily`, the
 * last two trimmed and ASCII-lowercased; v2 is the same without them). Verified with node:crypto.
 * Pure: no state, no clock of its own.
 */
import { createHash, createPublicKey, verify } from "node:crypto";

/** A signature older or newer than this (against the server clock) is refused. */
export const MAX_SIGNATURE_SKEW_MS = 10 * 60_000;
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");

export interface DeviceClaim {
  id: string;
  publicKey: string;
  signature: string;
  signedAt: number;
  nonce: string;
}

export interface SignedFields {
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  token: string | null;
  platform?: string | undefined;
  deviceFamily?: string | undefined;
}

const norm = (v: string | undefined) => (v ?? "").trim().replace(/[A-Z]/g, (c) => c.toLowerCase());

export function devicePayload(version: "v2" | "v3", d: Pick<DeviceClaim, "id" | "signedAt" | "nonce">, f: SignedFields): string {
  const parts = [version, d.id, f.clientId, f.clientMode, f.role, f.scopes.join(","), String(d.signedAt), f.token ?? "", d.nonce];
  if (version === "v3") parts.push(norm(f.platform), norm(f.deviceFamily));
  return parts.join("|");
}

export const deviceIdOf = (rawPublicKey: Buffer): string => createHash("sha256").update(rawPublicKey).digest("hex");

export type DeviceCheck = { ok: true } | { ok: false; reason: string };

/** Why a device claim is refused, or ok. `nonce` is the challenge this socket was sent (null: none was). */
export function verifyDevice(d: DeviceClaim, f: SignedFields, nonce: string | null, now: number): DeviceCheck {
  if (nonce === null) return { ok: false, reason: "device identity needs the connect.challenge nonce: connect to the gateway's root URL (ws://host:port/)" };
  if (d.nonce !== nonce) return { ok: false, reason: "device nonce does not match this connection's connect.challenge" };
  if (Math.abs(now - d.signedAt) > MAX_SIGNATURE_SKEW_MS) return { ok: false, reason: "device signature expired (signedAt is more than 10 minutes from the gateway's clock)" };
  const raw = Buffer.from(d.publicKey, "base64url");
  if (raw.length !== 32) return { ok: false, reason: "device publicKey must be a raw 32-byte Ed25519 key, base64url" };
  if (deviceIdOf(raw) !== d.id) return { ok: false, reason: "device id does not match its public key (sha256 of the raw key, hex)" };
  let key;
  try {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: "der", type: "spki" });
  } catch {
    return { ok: false, reason: "device publicKey is not a valid Ed25519 key" };
  }
  const sig = Buffer.from(d.signature, "base64url");
  for (const v of ["v3", "v2"] as const) {
    if (verify(null, Buffer.from(devicePayload(v, d, f)), key, sig)) return { ok: true };
  }
  return { ok: false, reason: "device signature is invalid" };
}
