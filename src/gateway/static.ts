/**
 * The dashboard's files, served before the origin check and auth: they are public, hold no
 * secret, and a browser must load `/` before it can log in. Files come from the embedded-assets
 * module (build/embed.mjs: Bun file imports, so the binary streams them from its own $bunfs with
 * Bun.file; nothing is held in the JS heap). `GET|HEAD` only; anything that is not a known file
 * falls through to the API routes (and their auth).
 *
 * - `/` is `/index.html`. A path with no file extension that asks for HTML (a dashboard route
 *   opened directly) also gets `/index.html`, except under the API prefixes.
 * - ETag (a content hash) with `If-None-Match` → 304.
 * - Precompressed variants (`app.js.br`, `app.js.gz` beside `app.js`, written by the dashboard
 *   build) are sent when `Accept-Encoding` allows (br before gzip), with their own ETag and
 *   `Vary: Accept-Encoding`.
 * - Hashed file names (`index-B3x9_kQz.js`, as Vite writes them) are cached for a year,
 *   `immutable`; everything else (index.html) is revalidated on every load (`no-cache`).
 * - A strict CSP: only this origin's scripts, styles, images, fonts and connections (the `/ws`
 *   socket), no inline script or style, no framing, no plugins.
 */
import { assets as embeddedAssets, type EmbeddedAsset } from "../generated/embedded.ts";

export type StaticAsset = EmbeddedAsset;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

// `name-<hash>.ext`: a hash of 8+ characters with at least one capital or digit (so `some-longname.js` is not one)
const HASHED_NAME = /-(?=[A-Za-z0-9_]*[A-Z0-9])[A-Za-z0-9_]{8,}\.[A-Za-z0-9]+$/;
const API_PREFIXES = ["/v1/", "/rpc", "/ws", "/metrics", "/healthz", "/readyz", "/auth/"];

export function isHashedName(path: string): boolean {
  return HASHED_NAME.test(path.slice(path.lastIndexOf("/") + 1));
}

type Encoding = "br" | "gzip";

/** The best precompressed variant `Accept-Encoding` allows (br before gzip), or null for identity. */
export function pickEncoding(header: string | null | undefined, available: readonly Encoding[]): Encoding | null {
  if (!header || available.length === 0) return null;
  const q = new Map<string, number>();
  for (const part of header.toLowerCase().split(",")) {
    const [name = "", ...params] = part.trim().split(";");
    const qp = params.map((x) => x.trim()).find((x) => x.startsWith("q="));
    const value = qp ? Number(qp.slice(2)) : 1;
    if (name) q.set(name.trim(), Number.isFinite(value) ? value : 0);
  }
  const ok = (e: Encoding) => (q.get(e) ?? q.get("*") ?? 0) > 0;
  return (["br", "gzip"] as const).find((e) => available.includes(e) && ok(e)) ?? null;
}

/** RFC 9110 If-None-Match: `*` or a list of entity tags, compared weakly. */
export function matchesEtag(header: string | null | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = (t: string) => t.trim().replace(/^W\//, "");
  return header.split(",").some((t) => bare(t) === bare(etag));
}

export class StaticFiles {
  readonly #byPath = new Map<string, StaticAsset>();

  constructor(assets: readonly StaticAsset[] = embeddedAssets) {
    for (const a of assets) this.#byPath.set(a.path, a);
  }

  get size(): number {
    return this.#byPath.size;
  }

  /** The file a request path names, or null (not ours: the request goes on). */
  resolve(path: string, accept: string | null | undefined): StaticAsset | null {
    const direct = this.#byPath.get(path === "/" ? "/index.html" : path);
    if (direct) return direct;
    const last = path.slice(path.lastIndexOf("/") + 1);
    const wantsPage = !last.includes(".") && (accept ?? "").includes("text/html") && !API_PREFIXES.some((p) => path === p || path.startsWith(p));
    return wantsPage ? (this.#byPath.get("/index.html") ?? null) : null;
  }

  /** The response for `GET`/`HEAD` of a known file, or null. */
  respond(method: string, path: string, headers: Headers): Response | null {
    if (method !== "GET" && method !== "HEAD") return null;
    const asset = this.resolve(path, headers.get("accept"));
    if (!asset) return null;
    const variants = asset.encodings ?? {};
    const encoding = pickEncoding(headers.get("accept-encoding"), Object.keys(variants) as Encoding[]);
    const body = encoding ? variants[encoding]! : asset;
    // each representation has its own strong ETag: the content hash plus the coding
    const etag = encoding ? `${asset.etag.slice(0, -1)}-${encoding}"` : asset.etag;
    const h = new Headers({
      etag,
      "cache-control": isHashedName(asset.path) ? "public, max-age=31536000, immutable" : "no-cache",
      "content-security-policy": CONTENT_SECURITY_POLICY,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "x-frame-options": "DENY",
    });
    if (asset.encodings) h.set("vary", "accept-encoding");
    if (matchesEtag(headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers: h });
    h.set("content-type", asset.type);
    h.set("content-length", String(body.bytes));
    if (encoding) h.set("content-encoding", encoding);
    if (method === "HEAD") return new Response(null, { status: 200, headers: h });
    return new Response(Bun.file(body.file), { status: 200, headers: h });
  }
}
