/**
 * The Ed25519 public key release manifests are verified with. `build/release.ts` compiles it in
 * (`--define __OPENCLAW_RELEASE_PUBKEY__`, base64 of the 32 raw key bytes, derived from the signing
 * key in OPENCLAW_RELEASE_KEY); a dev build or a release built without a key has none and reports
 * "unsigned". Verification uses node:crypto only.
 */
import { createPublicKey, verify } from "node:crypto";

declare const __OPENCLAW_RELEASE_PUBKEY__: string | undefined;

export const RELEASE_PUBKEY: string | null =
  typeof __OPENCLAW_RELEASE_PUBKEY__ === "string" && __OPENCLAW_RELEASE_PUBKEY__ !== "" ? __OPENCLAW_RELEASE_PUBKEY__ : null;

// SubjectPublicKeyInfo prefix for a raw 32-byte Ed25519 key
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export function publicKeyFromRaw(rawB64: string) {
  const raw = Buffer.from(rawB64, "base64");
  if (raw.length !== 32) throw new Error(`release public key must be 32 bytes of base64, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

/** True when `sigB64` is a valid Ed25519 signature of `data` by `rawB64` (default: the compiled-in key). */
export function verifyRelease(data: Uint8Array, sigB64: string, rawB64: string | null = RELEASE_PUBKEY): boolean {
  if (!rawB64) return false;
  const sig = Buffer.from(sigB64.trim(), "base64");
  if (sig.length !== 64) return false;
  return verify(null, data, publicKeyFromRaw(rawB64), sig);
}
