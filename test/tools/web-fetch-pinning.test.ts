import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer, type Server as TlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { gzipSync } from "node:zlib";
import type { AddressRoute } from "../../src/tools/pinned-get.ts";
import { webFetchTool } from "../../src/tools/web-fetch.ts";
import { tempDir, textOf, toolContext } from "./helpers.ts";

// Two local servers: "public" plays a public web site (the test routes the public address
// 93.184.216.34 to it), "internal" plays a loopback-only service that must never be reached.
const PUBLIC_IP = "93.184.216.34";
const listen = async <S extends Server | TlsServer>(s: S): Promise<number> => {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as AddressInfo).port;
};
const internalHits: string[] = [];
const internal = createServer((req, res) => {
  internalHits.push(req.url ?? "");
  res.end("internal secret");
});
const publicSite = createServer((req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname === "/redirect") {
    res.writeHead(302, { location: url.searchParams.get("to") ?? "/" });
    res.end();
  } else if (url.pathname === "/hang") {
    hung.resolve(req); // never answers
  } else if (url.pathname === "/gzip") {
    res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" });
    res.end(gzipSync(url.searchParams.has("bomb") ? Buffer.alloc(10 << 20, 0x61) : Buffer.from("unzipped text")));
  } else {
    res.end(`public site; host=${req.headers.host}; path=${url.pathname}`);
  }
});
let hung = Promise.withResolvers<IncomingMessage>();
let internalPort = 0;
let publicPort = 0;
let tlsPort = 0;
let tls: TlsServer;
let ca = "";
const sni: (string | false)[] = [];

beforeAll(async () => {
  internalPort = await listen(internal);
  publicPort = await listen(publicSite);
  // a certificate for public.test, made here so no key is committed
  const dir = tempDir("tls-");
  const made = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", join(dir, "k.pem"),
    "-out", join(dir, "c.pem"), "-days", "2", "-subj", "/CN=public.test", "-addext", "subjectAltName=DNS:public.test"], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`openssl could not make a test certificate: ${made.stderr || made.error?.message}`);
  ca = readFileSync(join(dir, "c.pem"), "utf8");
  tls = createTlsServer({ cert: ca, key: readFileSync(join(dir, "k.pem"), "utf8") }, (req, res) => res.end(`tls site; host=${req.headers.host}`));
  tls.on("secureConnection", (s: TLSSocket) => sni.push((s as TLSSocket & { servername: string | false }).servername));
  tlsPort = await listen(tls);
});
afterAll(() => {
  internal.close();
  publicSite.close();
  tls.close();
});

const netCtx = (maxBytes = 2_000_000) => toolContext({ sandbox: { networkAccess: true }, settings: { webFetch: { maxBytes, allowPrivateNetwork: false } } });
const dialed: string[] = [];
const route: AddressRoute = (address, port) => {
  dialed.push(`${address}:${port}`);
  if (address !== PUBLIC_IP) return { address, port };
  return { address: "127.0.0.1", port: port === 443 ? tlsPort : publicPort };
};

/** A rebinding DNS server: a public address on the first question, loopback on every later one. */
function rebindingResolver() {
  const asked: string[] = [];
  const resolve = async (host: string) => {
    asked.push(host);
    if (host === "public.test" || host === "wrong.test") return [PUBLIC_IP];
    if (host === "localhost") return ["127.0.0.1"];
    return asked.filter((h) => h === host).length === 1 ? [PUBLIC_IP] : ["127.0.0.1"];
  };
  return { resolve, asked };
}

describe("web_fetch connects to the address it checked", () => {
  test("a rebinding name is resolved once and the connection goes to the checked public address", async () => {
    internalHits.length = 0;
    dialed.length = 0;
    const dns = rebindingResolver();
    const r = await webFetchTool({ resolve: dns.resolve, route }).run({ url: `http://rebind.test:${internalPort}/secret` }, netCtx());
    expect(r.isError).toBe(false);
    expect(textOf(r)).toContain(`public site; host=rebind.test:${internalPort}; path=/secret`);
    expect(dns.asked).toEqual(["rebind.test"]);
    expect(dialed).toEqual([`${PUBLIC_IP}:${internalPort}`]);
    expect(internalHits).toEqual([]);
  });

  test("every redirect hop is resolved and checked again: to 127.0.0.1, and to a name that now rebinds", async () => {
    internalHits.length = 0;
    for (const to of [`http://127.0.0.1:${internalPort}/secret`, `http://rebind.test:${internalPort}/secret`, `http://localhost:${internalPort}/`]) {
      // a fresh rebinding DNS: rebind.test answers public once, for the hop that serves the redirect
      const dns = rebindingResolver();
      dialed.length = 0;
      const r = await webFetchTool({ resolve: dns.resolve, route }).run({ url: `http://rebind.test/redirect?to=${encodeURIComponent(to)}` }, netCtx());
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/^refused: (127\.0\.0\.1|rebind\.test|localhost) resolves to 127\.0\.0\.1 \(loopback\)/);
      expect(dialed).toEqual([`${PUBLIC_IP}:80`]); // only the first hop connected
    }
    expect(internalHits).toEqual([]);
  });

  test("https: the socket goes to the checked address, SNI and the certificate check use the name", async () => {
    sni.length = 0;
    const tool = webFetchTool({ resolve: rebindingResolver().resolve, route, ca });
    const ok = await tool.run({ url: "https://public.test/hello" }, netCtx());
    expect(textOf(ok)).toContain("tls site; host=public.test\n");
    expect(sni).toEqual(["public.test"]);
    const wrong = await tool.run({ url: "https://wrong.test/" }, netCtx());
    expect(wrong.isError).toBe(true);
    expect(textOf(wrong)).toMatch(/^fetching https:\/\/wrong\.test\/ failed: .*wrong\.test.* is not in the cert's altnames/);
  });

  test("gzip bodies are decoded, and the byte cap applies after decompression", async () => {
    const tool = webFetchTool({ resolve: rebindingResolver().resolve, route });
    expect(textOf(await tool.run({ url: "http://public.test/gzip" }, netCtx()))).toContain("\n\nunzipped text\n");
    const bomb = textOf(await tool.run({ url: "http://public.test/gzip?bomb" }, netCtx(1000)));
    expect(bomb).toContain(`${"a".repeat(1000)}\n[content cut at 1000 bytes (tools.web.fetch.maxBytes)]`);
  });

  test("aborting the run closes the connection to a server that never answers", async () => {
    hung = Promise.withResolvers<IncomingMessage>();
    const ac = new AbortController();
    const run = webFetchTool({ resolve: rebindingResolver().resolve, route }).run({ url: "http://public.test/hang" }, { ...netCtx(), signal: ac.signal });
    const req = await within(hung.promise, "the server never saw the request");
    const closed = new Promise<void>((r) => req.socket.once("close", () => r()));
    ac.abort();
    expect(textOf(await run)).toBe("web_fetch was aborted");
    await within(closed, "the connection was left open after the abort");
  });
});

/** `p`, or a loud failure after 5 s (a bound, not a speed target). */
async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fail = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(what)), 5000)));
  try {
    return await Promise.race([p, fail]);
  } finally {
    clearTimeout(timer);
  }
}
