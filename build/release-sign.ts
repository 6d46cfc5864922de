// `openclaw-release sign`: sign a release manifest with the Ed25519 key in OPENCLAW_RELEASE_KEY
// (base64 PKCS#8 DER or a PEM "PRIVATE KEY"), writing <manifest>.sig (base64 signature).
//   bun build/release-sign.ts sign dist/release/manifest.json
//   bun build/release-sign.ts keygen      # prints a fresh key pair (private PKCS#8 base64, public raw base64)
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

export function privateKeyFromEnv(env: Record<string, string | undefined> = process.env): KeyObject | null {
  const v = env.OPENCLAW_RELEASE_KEY?.trim();
  if (!v) return null;
  try {
    const key = v.includes("-----BEGIN")
      ? createPrivateKey({ key: v, format: "pem" })
      : createPrivateKey({ key: Buffer.from(v, "base64"), format: "der", type: "pkcs8" });
    if (key.asymmetricKeyType !== "ed25519") throw new Error(`key type is ${key.asymmetricKeyType}`);
    return key;
  } catch (err) {
    // never echo the key itself
    throw new Error(`OPENCLAW_RELEASE_KEY is not an Ed25519 private key (base64 PKCS#8 DER or PEM): ${(err as Error).message.split("\n")[0]}`);
  }
}

/** base64 of the raw 32-byte public key */
export function rawPublicKey(priv: KeyObject): string {
  const der = createPublicKey(priv).export({ format: "der", type: "spki" });
  return Buffer.from(der.subarray(der.length - 32)).toString("base64");
}

export function signFile(path: string, priv: KeyObject): string {
  const sig = sign(null, readFileSync(path), priv).toString("base64");
  writeFileSync(`${path}.sig`, sig + "\n");
  return `${path}.sig`;
}

if (import.meta.main) {
  const [cmd, file] = process.argv.slice(2);
  if (cmd === "keygen") {
    const { privateKey } = generateKeyPairSync("ed25519");
    console.log(`OPENCLAW_RELEASE_KEY=${privateKey.export({ format: "der", type: "pkcs8" }).toString("base64")}`);
    console.log(`public key (raw, base64): ${rawPublicKey(privateKey)}`);
  } else if (cmd === "sign" && file) {
    const key = privateKeyFromEnv();
    if (!key) {
      console.error("openclaw-release sign: set OPENCLAW_RELEASE_KEY to the Ed25519 private key (bun build/release-sign.ts keygen makes one)");
      process.exit(1);
    }
    console.log(`signed: ${signFile(file, key)}`);
  } else {
    console.error("usage: openclaw-release sign <manifest.json> | openclaw-release keygen");
    process.exit(2);
  }
}
