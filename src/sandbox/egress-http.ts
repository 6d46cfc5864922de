/**
 * The HTTP/1.x framing the egress proxy needs, and nothing more: split a request head, find the
 * target of a CONNECT (`host:port`) or of an absolute-URI request (`GET http://host/path`), build
 * the head forwarded upstream, and write a plain-text error reply. Pure; table-tested.
 *
 * Only the head is parsed. After it the proxy pipes bytes: a CONNECT tunnel is opaque (TLS), and a
 * plain-HTTP request is sent upstream with `Connection: close`, so one connection carries one
 * request to the one host that was checked.
 */
import { isIP } from "node:net";
import { EGRESS_KEY, normalizeHost } from "./egress-rules.ts";

export interface RequestHead {
  method: string;
  target: string;
  version: string;
  headers: [string, string][];
}

export type EgressTarget =
  | { kind: "connect"; host: string; port: number }
  | { kind: "http"; host: string; port: number; path: string };

/** A refusal before any connection is made: an HTTP status and the text for the person or tool reading it. */
export interface Refusal {
  status: number;
  message: string;
}

const METHOD = /^[A-Z][A-Z0-9-]{0,31}$/;
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate", "te", "trailer", "upgrade", "host"]);

/** Parses the head (everything before the blank line, without it). */
export function parseHead(head: string): RequestHead | Refusal {
  const lines = head.split("\r\n");
  const parts = lines[0]!.split(" ");
  if (parts.length !== 3 || !METHOD.test(parts[0]!) || !/^HTTP\/1\.[01]$/.test(parts[2]!)) {
    return { status: 400, message: "malformed request line; this is an HTTP/1.1 forward proxy (use it through HTTP_PROXY / HTTPS_PROXY)" };
  }
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const i = line.indexOf(":");
    if (i <= 0 || /[\s]/.test(line.slice(0, i))) return { status: 400, message: "malformed header line" };
    headers.push([line.slice(0, i), line.slice(i + 1).trim()]);
  }
  return { method: parts[0]!, target: parts[1]!, version: parts[2]!, headers };
}

/** Where the request wants to go, or why it cannot be proxied at all. */
export function targetOf(req: RequestHead): EgressTarget | Refusal {
  if (req.method === "CONNECT") {
    const m = /^(\[[^\]]*\]|[^:]+):(\d{1,5})$/.exec(req.target);
    const port = Number(m?.[2]);
    if (!m || port < 1 || port > 65535) return { status: 400, message: `CONNECT needs host:port, got "${clip(req.target)}"` };
    return hostTarget(m[1]!, port, (host) => ({ kind: "connect", host, port }));
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(req.target)) {
    return { status: 400, message: "a forward proxy needs an absolute URI (GET http://host/path); point HTTP_PROXY at this proxy instead of requesting it directly" };
  }
  let url: URL;
  try {
    url = new URL(req.target);
  } catch {
    return { status: 400, message: `invalid URI "${clip(req.target)}"` };
  }
  if (url.protocol === "https:") return { status: 400, message: "https:// URLs go through CONNECT (HTTPS_PROXY), not as a plain request" };
  if (url.protocol !== "http:") return { status: 400, message: `only http and https are proxied, not ${url.protocol}` };
  if (url.username || url.password) return { status: 400, message: "URLs with a user name or password are refused" };
  const port = url.port ? Number(url.port) : 80;
  const path = `${url.pathname || "/"}${url.search}`;
  return hostTarget(url.hostname, port, (host) => ({ kind: "http", host, port, path }));
}

function hostTarget(rawHost: string, port: number, make: (host: string) => EgressTarget): EgressTarget | Refusal {
  const bare = rawHost.replace(/^\[|\]$/g, "");
  if (isIP(bare) !== 0 || rawHost.startsWith("[")) {
    return { status: 403, message: `egress to the IP address ${clip(bare)} is blocked: ${EGRESS_KEY} lists host names, and the proxy refuses IP literals; use the host's name` };
  }
  const host = normalizeHost(bare);
  if (!host) return { status: 400, message: `"${clip(rawHost)}" is not a valid host name` };
  return make(host);
}

/** The head sent upstream for a plain-HTTP request: origin-form target, proxy headers dropped, Host set to the checked host. */
export function forwardHead(req: RequestHead, t: Extract<EgressTarget, { kind: "http" }>): string {
  const lines = [`${req.method} ${t.path} HTTP/1.1`, `Host: ${t.port === 80 ? t.host : `${t.host}:${t.port}`}`];
  for (const [name, value] of req.headers) if (!HOP_BY_HOP.has(name.toLowerCase())) lines.push(`${name}: ${value}`);
  lines.push("Connection: close", "", "");
  return lines.join("\r\n");
}

const REASONS: Record<number, string> = { 400: "Bad Request", 403: "Forbidden", 431: "Request Header Fields Too Large", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" };

/** A complete error reply (the connection closes after it). */
export function errorReply(r: Refusal): string {
  const body = `openclaw sandbox egress proxy: ${r.message}\n`;
  return [
    `HTTP/1.1 ${r.status} ${REASONS[r.status] ?? "Error"}`,
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
    "X-OpenClaw-Egress: refused",
    "",
    body,
  ].join("\r\n");
}

export function isRefusal(x: object): x is Refusal {
  return "status" in x && "message" in x;
}

/** Echoed input is capped and stripped of control characters (it lands in a reply and a log line). */
function clip(s: string): string {
  const clean = s.replace(/[\x00-\x1f\x7f]/g, "?");
  return clean.length > 100 ? `${clean.slice(0, 100)}…` : clean;
}
