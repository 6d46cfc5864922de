/**
 * The signed release manifest (`build/release.ts` writes it): fetched from `update.url`, its
 * Ed25519 signature (manifest.json.sig) checked against the compiled-in key before anything in it
 * is trusted, then parsed. Also: which target this binary is (os, arch, libc from its own ELF
 * interpreter) and a plain version comparison.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { OpenClawError } from "../core/errors.ts";
import { parseJson } from "../core/json.ts";
import { RELEASE_PUBKEY, verifyRelease } from "../core/release-key.ts";

export class UpdateError extends OpenClawError {
  static override readonly type = "UpdateError";
}

const TargetSchema = z.looseObject({
  target: z.string(),
  os: z.string(),
  arch: z.string(),
  libc: z.string().nullable(),
  file: z.string().regex(/^[A-Za-z0-9._-]+$/),
  size: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  archive: z.string().regex(/^[A-Za-z0-9._-]+$/),
  archiveSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export const ManifestSchema = z.looseObject({
  name: z.literal("openclaw"),
  version: z.string().min(1),
  commit: z.string(),
  date: z.string(),
  targets: z.array(TargetSchema).min(1),
});
export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestTarget = z.infer<typeof TargetSchema>;

/** Verify `sig` over the exact manifest bytes, then parse. Throws UpdateError naming what failed. */
export function verifyManifest(bytes: Uint8Array, sig: string | null, pubkey: string | null = RELEASE_PUBKEY): Manifest {
  if (!pubkey) throw new UpdateError("this binary is unsigned (a dev build has no release key): it cannot verify a release; install a signed release");
  if (!sig) throw new UpdateError("the release manifest is unsigned (no manifest.json.sig): refused");
  if (!verifyRelease(bytes, sig, pubkey)) throw new UpdateError("the release manifest's signature does not match this binary's release key: refused (tampered, or signed by another key)");
  const json = parseJson(new TextDecoder().decode(bytes), 16);
  if (!json.ok) throw new UpdateError(`the release manifest is not JSON: ${json.message}`);
  const parsed = ManifestSchema.safeParse(json.value);
  if (!parsed.success) throw new UpdateError(`the release manifest is malformed: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

async function get(url: string, what: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    throw new UpdateError(`cannot fetch the ${what} from ${url}: ${(err as Error).message}; check update.url`);
  }
  return res;
}

/** The base URL for a version: `<url>/` for the latest, `<url>/v<VERSION>/` with --to. */
export function releaseBase(url: string, to?: string): string {
  const base = url.endsWith("/") ? url : `${url}/`;
  return to ? `${base}v${encodeURIComponent(to)}/` : base;
}

export async function fetchManifest(base: string, pubkey: string | null = RELEASE_PUBKEY): Promise<Manifest> {
  const res = await get(`${base}manifest.json`, "release manifest");
  if (!res.ok) throw new UpdateError(`the release manifest at ${base}manifest.json answered HTTP ${res.status}; check update.url (and --to)`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const sres = await get(`${base}manifest.json.sig`, "manifest signature");
  const sig = sres.ok ? await sres.text() : null;
  return verifyManifest(bytes, sig, pubkey);
}

export async function download(url: string): Promise<Uint8Array> {
  const res = await get(url, "release binary");
  if (!res.ok) throw new UpdateError(`the release binary at ${url} answered HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The manifest target name this binary runs as: linux-x64, linux-arm64-musl, darwin-arm64, … */
export function thisTarget(execPath: string = process.execPath): string {
  const arch = process.arch === "arm64" ? "arm64" : process.arch === "x64" ? "x64" : process.arch;
  if (process.platform !== "linux") return `${process.platform}-${arch}`;
  let musl = false;
  try {
    // the ELF interpreter path sits near the start of the file
    musl = readFileSync(execPath).subarray(0, 4096).includes("ld-musl");
  } catch {
    musl = false;
  }
  return `linux-${arch}${musl ? "-musl" : ""}`;
}

/** -1, 0, 1 comparing dotted numeric versions (a pre-release suffix sorts before its release). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.replace(/^v/, "").split("-")[0]!.split(".").map((n) => Number(n) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  const pa = a.includes("-"), pb = b.includes("-");
  return pa === pb ? 0 : pa ? -1 : 1;
}
