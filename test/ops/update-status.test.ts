// `status` asks the signed release manifest only when update.check is on (no network call
// without it), and reports an available version, "up to date", or why it could not check.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateKeyPairSync, sign } from "node:crypto";
import { rawPublicKey } from "../../build/release-sign.ts";
import { updateStatus } from "../../src/ops/status.ts";
import { formatStatus } from "../../src/cli/status.ts";

const { privateKey } = generateKeyPairSync("ed25519");
const pubkey = rawPublicKey(privateKey);
const sha = "a".repeat(64);
const manifest = (version: string) =>
  new TextEncoder().encode(JSON.stringify({
    name: "openclaw", version, commit: "c0ffee", date: "2026-12-03T00:00:00Z",
    targets: [{ target: "linux-x64", os: "linux", arch: "x64", libc: "glibc", file: "openclaw-linux-x64", size: 10, sha256: sha, archive: "openclaw-linux-x64.tar.gz", archiveSha256: sha }],
  }));

let served = manifest("0.9.0");
let tamper = false;
let requests = 0;
let server: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      requests++;
      const path = new URL(req.url).pathname;
      if (path === "/rel/manifest.json") return new Response(tamper ? manifest("9.9.9") : served);
      if (path === "/rel/manifest.json.sig") return new Response(sign(null, served, privateKey).toString("base64"));
      return new Response("no", { status: 404 });
    },
  });
});
afterAll(() => void server.stop(true));
const url = () => `http://127.0.0.1:${server.port}/rel`;

describe("status: update check", () => {
  test("off (the default) or without update.url: nothing asked", async () => {
    const before = requests;
    expect(await updateStatus({ check: false, url: url() }, "0.1.0", pubkey)).toBeUndefined();
    expect(await updateStatus({ check: true }, "0.1.0", pubkey)).toBeUndefined();
    expect(requests).toBe(before);
  });

  test("a newer signed release is reported as available; the same version as up to date", async () => {
    served = manifest("0.9.0");
    const u = await updateStatus({ check: true, url: url() }, "0.1.0", pubkey);
    expect(u).toEqual({ current: "0.1.0", latest: "0.9.0", available: true });
    expect(formatStatus({ running: false, url: "http://127.0.0.1:1", reason: "x", offline: { configPath: "c", configExists: true, stateDir: "s", databasePath: "d", databaseBytes: null, daemon: null } as never, update: u! })).toContain("update:    0.9.0 available (running 0.1.0): openclaw update");
    expect(await updateStatus({ check: true, url: url() }, "0.9.0", pubkey)).toEqual({ current: "0.9.0", latest: "0.9.0", available: false });
  });

  test("a manifest that does not match its signature is not believed", async () => {
    tamper = true;
    try {
      const u = await updateStatus({ check: true, url: url() }, "0.1.0", pubkey);
      expect(u && "error" in u && u.error).toContain("signature does not match");
    } finally {
      tamper = false;
    }
  });
});

test("a release server that never answers costs status a bounded wait and says so", async () => {
  const stall = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Promise<Response>(() => {}) });
  try {
    const u = await updateStatus({ check: true, url: `http://127.0.0.1:${stall.port}/rel` }, "0.1.0", pubkey);
    expect(u && "error" in u && u.error).toContain("did not answer within 5 s");
  } finally {
    void stall.stop(true);
  }
}, 30_000);
