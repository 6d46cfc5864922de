/**
 * The egress proxy: runs in the gateway process, listens on a Unix socket in a private (0700)
 * temp folder, and is the only way out of a sandbox that has an egress allowlist (the sandbox has
 * no network of its own; see egress.ts). It speaks just enough HTTP/1.1 to forward:
 * - `CONNECT host:port` (HTTPS and anything else tunnelled): checked, then an opaque byte pipe;
 * - `GET http://host/path` and other absolute-URI requests: checked, then sent upstream with an
 *   origin-form target, the checked Host and `Connection: close` (one request per connection).
 *
 * A target must be a host name on the allowlist (IP literals are refused), and every address it
 * resolves to must be public (net-guard.ts); the connection then goes to the address that was
 * checked, so a second DNS answer cannot swap in a private one. Everything else gets a plain-text
 * 403/400/502 whose body names the host and the config key. Logs carry host and port, never a
 * path or a header.
 *
 * Node-compatible (node:net, node:dns); the resolver and the address check are injectable for tests.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../core/log.ts";
import { privateAddressReason } from "../tools/net-guard.ts";
import { errorReply, forwardHead, isRefusal, parseHead, targetOf, type EgressTarget, type Refusal } from "./egress-http.ts";
import { EGRESS_KEY, egressAllows, type EgressRule } from "./egress-rules.ts";

export type EgressLookup = (host: string) => Promise<string[]>;

export interface EgressProxyOptions {
  rules: readonly EgressRule[];
  log: Logger;
  /** host name → addresses; default node:dns lookup (all) */
  lookup?: EgressLookup;
  /** why an address may not be reached (private, loopback, …), undefined when it may; default net-guard */
  addressReason?: (ip: string) => string | undefined;
  maxHeadBytes?: number;
  headTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** a tunnel with no traffic either way for this long is closed */
  idleTimeoutMs?: number;
  maxConnections?: number;
}

export interface EgressProxy {
  /** absolute path of the Unix socket */
  readonly socketPath: string;
  close(): Promise<void>;
}

const systemLookup: EgressLookup = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Starts the proxy; rejects when the socket cannot be created. */
export async function startEgressProxy(opts: EgressProxyOptions): Promise<EgressProxy> {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-egress-")); // mkdtemp: mode 0700
  const socketPath = join(dir, "proxy.sock");
  const active = new Set<Socket>();
  const max = opts.maxConnections ?? 256;
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    if (active.size >= max) {
      client.end(errorReply({ status: 503, message: `too many connections (limit ${max}); retry later` }));
      return;
    }
    active.add(client);
    client.once("close", () => active.delete(client));
    handle(client, opts);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => resolve());
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot listen on ${socketPath}: ${(err as Error).message}`);
  }
  server.on("error", (err) => opts.log.warn("sandbox egress proxy: server error", { error: err.message }));
  server.unref(); // never what keeps the gateway alive
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", cleanup);
  return {
    socketPath,
    close: async () => {
      for (const s of active) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      process.off("exit", cleanup);
      cleanup();
    },
  };
}

function handle(client: Socket, opts: EgressProxyOptions): void {
  const maxHead = opts.maxHeadBytes ?? 16_384;
  let buf: Buffer = Buffer.alloc(0);
  client.on("error", () => client.destroy());
  const timer = setTimeout(() => client.destroy(), opts.headTimeoutMs ?? 30_000);
  const onData = (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) {
      if (buf.length > maxHead) {
        done();
        refuse(client, { status: 431, message: `request head over ${maxHead} bytes` });
      }
      return;
    }
    done();
    const head = parseHead(buf.subarray(0, end).toString("latin1"));
    const rest = buf.subarray(end + 4);
    if (isRefusal(head)) return refuse(client, head);
    const target = targetOf(head);
    if (isRefusal(target)) return refuse(client, target, target.status === 403 ? opts.log : undefined);
    void open(client, target, opts).then((upstream) => {
      if (!upstream || client.destroyed) return upstream?.destroy();
      if (target.kind === "connect") client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      else upstream.write(forwardHead(head, target));
      if (rest.length) upstream.write(rest);
      splice(client, upstream, opts.idleTimeoutMs ?? 600_000);
    });
  };
  const done = () => {
    clearTimeout(timer);
    client.off("data", onData);
    client.pause();
  };
  client.on("data", onData);
  // the client stopped sending before a whole head arrived: nothing will come (allowHalfOpen would keep it open)
  client.once("end", () => {
    if (client.listenerCount("data") > 0) {
      clearTimeout(timer);
      client.destroy();
    }
  });
}

/** Policy, resolution, address check, connect. Resolves null after replying with the refusal. */
async function open(client: Socket, t: EgressTarget, opts: EgressProxyOptions): Promise<Socket | null> {
  const where = `${t.host}:${t.port}`;
  if (!egressAllows(opts.rules, t.host, t.port)) {
    const example = t.port === 80 || t.port === 443 ? `"${t.host}"` : `"${t.host}:${t.port}"`;
    refuse(client, { status: 403, message: `egress to ${where} is blocked: it is not in ${EGRESS_KEY}; to allow it, add ${example} to ${EGRESS_KEY} in openclaw.json` }, opts.log);
    return null;
  }
  let addresses: string[];
  try {
    addresses = await (opts.lookup ?? systemLookup)(t.host);
  } catch (err) {
    refuse(client, { status: 502, message: `cannot resolve ${t.host} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` }, opts.log);
    return null;
  }
  if (addresses.length === 0) {
    refuse(client, { status: 502, message: `cannot resolve ${t.host}: no addresses` }, opts.log);
    return null;
  }
  const check = opts.addressReason ?? privateAddressReason;
  for (const a of addresses) {
    const why = check(a);
    if (why) {
      refuse(client, { status: 403, message: `egress to ${where} is blocked: ${t.host} resolves to ${a} (${why}); the proxy reaches public addresses only` }, opts.log);
      return null;
    }
  }
  const upstream = connect({ host: addresses[0]!, port: t.port, allowHalfOpen: true });
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(() => fail("timed out"), opts.connectTimeoutMs ?? 10_000);
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      upstream.destroy();
      refuse(client, { status: why === "timed out" ? 504 : 502, message: `cannot connect to ${where}: ${why}` }, opts.log);
      resolve(null);
    };
    upstream.on("error", (err: NodeJS.ErrnoException) => fail(err.code ?? err.message)); // after connect: a no-op; splice handles it
    upstream.once("connect", () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.log.debug("sandbox egress: allowed", { host: t.host, port: t.port });
      resolve(upstream);
    });
  });
}

/** Pipes both ways (half-close passed on); either side's error or idleness closes both. */
function splice(a: Socket, b: Socket, idleMs: number): void {
  const both = () => {
    a.destroy();
    b.destroy();
  };
  for (const s of [a, b]) {
    s.on("error", both);
    s.once("close", both);
    s.setTimeout(idleMs, both);
  }
  a.pipe(b);
  b.pipe(a);
  a.resume();
}

function refuse(client: Socket, r: Refusal, log?: Logger): void {
  if (log) log.warn(`sandbox egress: refused (${r.status})`, { reason: r.message });
  if (!client.destroyed) client.end(errorReply(r));
}
