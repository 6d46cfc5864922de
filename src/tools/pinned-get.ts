/**
 * One HTTP GET to a checked address (fetch-target.ts). node:http / node:https with our own
 * `createConnection`: the socket goes to `target.address`, never to a fresh resolution of the
 * name, while the Host header, TLS server name (SNI) and certificate check use the name. Redirects
 * are not followed here (web-fetch.ts checks each hop). Gzip, deflate and brotli bodies are
 * decoded; the body comes back as a stream the caller reads with `readCapped` (core/body.ts), so
 * the byte cap applies after decompression. Rejects on connection, TLS and protocol errors and on
 * abort; the caller must call `close()` when done with the response.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as netConnect, isIP } from "node:net";
import { Readable } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { FetchTarget } from "./fetch-target.ts";

/** Where a checked address is reached: itself by default; tests route public addresses to local servers. */
export type AddressRoute = (address: string, port: number) => { address: string; port: number };

export interface PinnedGetOptions {
  headers: Record<string, string>;
  signal: AbortSignal;
  route?: AddressRoute;
  /** trusted CA certificates (PEM) for https, instead of the system store (a seam for tests) */
  ca?: string;
}

export interface PinnedResponse {
  status: number;
  header(name: string): string | undefined;
  body: ReadableStream<Uint8Array>;
  close(): void;
}

export function pinnedGet(target: FetchTarget, opts: PinnedGetOptions): Promise<PinnedResponse> {
  const { address, port } = opts.route ? opts.route(target.address, target.port) : target;
  const servername = isIP(target.host) ? undefined : target.host;
  const createConnection = () =>
    target.secure
      ? tlsConnect({ host: address, port, servername, ALPNProtocols: ["http/1.1"], ...(opts.ca ? { ca: opts.ca } : {}) })
      : netConnect({ host: address, port });
  const request = target.secure ? httpsRequest : httpRequest;
  return new Promise<PinnedResponse>((resolve, reject) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        defaultPort: target.secure ? 443 : 80, // so the Host header carries no default port (there is no agent to say it)
        path: `${target.url.pathname}${target.url.search}`,
        method: "GET",
        headers: { ...opts.headers, "accept-encoding": "gzip, deflate, br" },
        signal: opts.signal,
        createConnection,
      },
      (res) => resolve(response(res, () => req.destroy())),
    );
    req.on("error", reject);
    req.end();
  });
}

function response(res: IncomingMessage, destroy: () => void): PinnedResponse {
  const encoding = String(res.headers["content-encoding"] ?? "").trim().toLowerCase();
  const decoder = encoding === "gzip" || encoding === "x-gzip" ? createGunzip() : encoding === "deflate" ? createInflate() : encoding === "br" ? createBrotliDecompress() : undefined;
  const stream: Readable = decoder ? res.pipe(decoder) : res;
  if (decoder) res.on("error", (err) => decoder.destroy(err));
  return {
    status: res.statusCode ?? 0,
    header: (name) => {
      const v = res.headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(", ") : v;
    },
    body: Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>,
    close: () => {
      decoder?.destroy();
      res.destroy();
      destroy();
    },
  };
}
