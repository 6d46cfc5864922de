/**
 * WebSocket (and browser HTTP) Origin policy. Browsers always send `Origin`; a page on another site
 * must not drive the gateway, so a present Origin must be one of the gateway's own origins or listed
 * in `gateway.allowedOrigins`. A missing Origin (CLI clients, SDKs) passes to authentication. The
 * `Host` header is never used to decide: it is client-controlled.
 */
export function ownOrigins(hostname: string, port: number): string[] {
  const hosts = new Set(["127.0.0.1", "localhost", "[::1]"]);
  if (hostname !== "0.0.0.0" && hostname !== "::") hosts.add(hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname);
  const out: string[] = [];
  for (const h of hosts) out.push(`http://${h}:${port}`, `https://${h}:${port}`);
  return out;
}

function normalize(origin: string): string {
  return origin.trim().replace(/\/+$/, "").toLowerCase();
}

export class OriginPolicy {
  constructor(
    private readonly own: () => string[],
    private readonly extra: () => string[],
  ) {}

  /** True when the request may proceed (no Origin, or an allowed one). */
  allows(origin: string | null | undefined): boolean {
    if (origin === null || origin === undefined) return true;
    const o = normalize(origin);
    if (o === "" || o === "null") return false;
    for (const a of this.own()) if (normalize(a) === o) return true;
    for (const a of this.extra()) if (a === "*" ? false : normalize(a) === o) return true;
    return false;
  }
}
