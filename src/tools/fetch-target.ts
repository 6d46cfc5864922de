/**
 * Where one web_fetch hop may go. `checkUrl` parses the URL, refuses what web_fetch never fetches
 * (other schemes, credentials in the URL), resolves the host name once and checks every address
 * it resolves to (net-guard.ts), and returns the address to connect to. The caller connects to
 * exactly that address (pinned-get.ts), never resolving the name again, so a DNS server that
 * answers a public address for the check and a private one for the connection (rebinding) gains
 * nothing. Throws `ToolError` with a message for the model.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { privateAddressReason } from "./net-guard.ts";
import { ToolError } from "./tool.ts";

/** name → every address it resolves to */
export type HostResolver = (host: string) => Promise<string[]>;

export const systemResolver: HostResolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export interface FetchTarget {
  url: URL;
  /** the host name (IPv6 without brackets): Host header, TLS server name, certificate check */
  host: string;
  /** the checked address the connection goes to */
  address: string;
  port: number;
  secure: boolean;
}

export async function checkUrl(raw: string | URL, allowPrivate: boolean, resolve: HostResolver = systemResolver): Promise<FetchTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolError(`invalid URL: ${String(raw)}; give a full http:// or https:// URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ToolError(`only http and https URLs can be fetched, not ${url.protocol}`);
  if (url.username || url.password) throw new ToolError("URLs with a user name or password are refused");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : await resolveAll(resolve, host);
  if (!allowPrivate) {
    for (const a of addresses) {
      const why = privateAddressReason(a);
      if (why) {
        throw new ToolError(
          `refused: ${host} resolves to ${a} (${why}); web_fetch only reaches public internet addresses (tools.web.fetch.allowPrivateNetwork lifts this)`,
        );
      }
    }
  }
  const secure = url.protocol === "https:";
  return { url, host, address: addresses[0]!, port: url.port ? Number(url.port) : secure ? 443 : 80, secure };
}

async function resolveAll(resolve: HostResolver, host: string): Promise<string[]> {
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch (err) {
    throw new ToolError(`cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const valid = addresses.filter((a) => isIP(a.split("%")[0]!) !== 0);
  if (valid.length === 0) throw new ToolError(`cannot resolve ${host}: no addresses`);
  return valid;
}
