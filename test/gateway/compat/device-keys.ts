// Ed25519 device identities as OpenClaw clients make them (node:crypto), for the compat tests.
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { devicePayload } from "../../../src/gateway/compat/device.ts";

export interface TestDevice {
  id: string;
  publicKey: string;
  privateKey: KeyObject;
}

export function newDevice(): TestDevice {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  return { id: createHash("sha256").update(raw).digest("hex"), publicKey: raw.toString("base64url"), privateKey };
}

/** The `device` of a connect request: payload v3 over the given fields, signed. */
export function deviceClaim(d: TestDevice, nonce: string, f: { token: string | null; scopes?: string[]; signedAt?: number; version?: "v2" | "v3" }) {
  const signedAt = f.signedAt ?? Date.now();
  const payload = devicePayload(f.version ?? "v3", { id: d.id, signedAt, nonce }, { clientId: "test", clientMode: "test", role: "operator", scopes: f.scopes ?? [], token: f.token, platform: "linux" });
  return { id: d.id, publicKey: d.publicKey, signature: sign(null, Buffer.from(payload), d.privateKey).toString("base64url"), signedAt, nonce };
}
