// Adversarial suite, part 2: network egress, at standard and strict. A real HTTP server and a UDP
// socket on 127.0.0.1 stand in for the gateway's loopback port and a DNS server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSocket, type Socket } from "node:dgram";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { LEVELS, bwrapExecutor, useFakeHost } from "./bwrap-helpers.ts";

useFakeHost();

let http: Server;
let httpPort = 0;
let httpHits = 0;
let udp: Socket;
let udpPort = 0;
const udpSeen: string[] = [];

beforeAll(async () => {
  http = createServer((_req, res) => {
    httpHits++;
    res.end("gateway-says-hello");
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  httpPort = (http.address() as AddressInfo).port;
  udp = createSocket("udp4");
  udp.on("message", (m) => udpSeen.push(m.toString()));
  await new Promise<void>((r) => udp.bind(0, "127.0.0.1", r));
  udpPort = udp.address().port;
});
afterAll(() => {
  http.close();
  udp.close();
});

for (const level of LEVELS) {
  describe(`network at ${level}`, () => {
    test("with networkAccess off: loopback HTTP, /dev/tcp, UDP and DNS all fail", async () => {
      const ex = bwrapExecutor(level);
      const hitsBefore = httpHits;
      const tag = `udp-off-${level}`;
      const r = await ex.exec({
        command: [
          `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${httpPort} && echo TCP-CONNECTED'`,
          `bash -c 'exec 3<>/dev/tcp/1.1.1.1/80 && echo TCP-CONNECTED'`,
          `bash -c 'echo ${tag} > /dev/udp/127.0.0.1/${udpPort}'`,
          "getent hosts example.com && echo DNS-RESOLVED",
          `curl -s -m 5 http://127.0.0.1:${httpPort}/ ; curl -s -m 5 https://example.com/ >/dev/null && echo CURL-OK`,
          "echo end",
        ].join("; "),
      });
      expect(r.stdout).toContain("end");
      expect(r.stdout).not.toContain("TCP-CONNECTED");
      // (a UDP send "succeeds" into the sandbox's own empty loopback; what matters is that the host never gets it)
      expect(r.stdout).not.toContain("DNS-RESOLVED");
      expect(r.stdout).not.toContain("gateway-says-hello");
      expect(r.stdout).not.toContain("CURL-OK");
      expect(r.stderr).toMatch(/Network is unreachable|Connection refused/);
      await new Promise((res) => setTimeout(res, 100));
      expect(httpHits).toBe(hitsBefore);
      expect(udpSeen).not.toContain(`${tag}\n`);
    });

    test("with networkAccess on, the loopback server IS reachable (loopback is not a trust boundary)", async () => {
      const ex = bwrapExecutor(level, { networkAccess: true });
      const tag = `udp-on-${level}`;
      const r = await ex.exec({
        command:
          `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${httpPort}; printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3; cat <&3'; ` +
          `bash -c 'echo ${tag} > /dev/udp/127.0.0.1/${udpPort}'`,
      });
      expect(r.stdout).toContain("gateway-says-hello");
      for (let i = 0; i < 40 && !udpSeen.includes(`${tag}\n`); i++) await new Promise((res) => setTimeout(res, 25));
      expect(udpSeen).toContain(`${tag}\n`);
    });
  });
}
