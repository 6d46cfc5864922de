import { afterEach, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { DeviceStore } from "../../../src/gateway/compat/device-store.ts";
import type { RunningServer } from "../../../src/gateway/server.ts";
import { listen, makeHarness, TOKEN, type Harness } from "../helpers.ts";
import { deviceClaim, newDevice } from "./device-keys.ts";
import { OcClient } from "./oc-client.ts";

let h: Harness | undefined;
let srv: RunningServer | undefined;
afterEach(async () => {
  await srv?.stop(true);
  await h?.close();
  h = srv = undefined;
});

const devicesPath = () => join(process.env.TMPDIR ?? "/tmp", `devices-${crypto.randomUUID()}.json`);

function start(path: string, ip?: string): string {
  h = makeHarness({ deps: { openclaw: { devicesPath: path } } });
  srv = listen(h);
  void ip;
  return `ws://127.0.0.1:${srv.port}/`;
}

async function open(url: string): Promise<{ c: OcClient; nonce: string }> {
  const c = new OcClient(url);
  await c.opened;
  return { c, nonce: (await c.challenge()).nonce };
}

test("a loopback device with a valid signature is approved at once and gets a device token in hello-ok, stored 0600", async () => {
  const path = devicesPath();
  const url = start(path);
  const dev = newDevice();
  const { c, nonce } = await open(url);
  const res = await c.connect({ token: TOKEN }, { device: deviceClaim(dev, nonce, { token: TOKEN }) });
  expect(res.ok).toBe(true);
  const deviceToken = res.payload.auth.deviceToken;
  expect(deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const rec = new DeviceStore(path).get(dev.id)!;
  expect(rec.status).toBe("approved");
  expect(JSON.stringify(rec)).not.toContain(deviceToken);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  c.close();

  // later: the device token alone (no shared token) admits the device
  const again = await open(url);
  const res2 = await again.c.connect({ deviceToken }, { device: deviceClaim(dev, again.nonce, { token: null }) });
  expect(res2.ok).toBe(true);
  expect(res2.payload.auth.deviceToken).toBeUndefined();
  again.c.close();

  // openclaw-node sends the persisted device token as auth.token
  const third = await open(url);
  const res3 = await third.c.connect({ token: deviceToken }, { device: deviceClaim(dev, third.nonce, { token: deviceToken }) });
  expect(res3.ok).toBe(true);
  third.c.close();
});

test("v2 signatures (without platform and family) are accepted too", async () => {
  const url = start(devicesPath());
  const dev = newDevice();
  const { c, nonce } = await open(url);
  const res = await c.connect({ token: TOKEN }, { device: deviceClaim(dev, nonce, { token: TOKEN, version: "v2" }) });
  expect(res.ok).toBe(true);
  c.close();
});

test("bad signatures are refused with 1008: another key, another nonce, a stale signedAt, a tampered scope", async () => {
  const url = start(devicesPath());
  const dev = newDevice();
  const other = newDevice();
  const cases: [string, (nonce: string) => unknown, Record<string, unknown>?][] = [
    ["signature is invalid", (n) => ({ ...deviceClaim(other, n, { token: TOKEN }), id: dev.id, publicKey: dev.publicKey })],
    ["nonce does not match", () => deviceClaim(dev, "some-other-nonce", { token: TOKEN })],
    ["signature expired", (n) => deviceClaim(dev, n, { token: TOKEN, signedAt: Date.now() - 3_600_000 })],
    ["signature is invalid", (n) => deviceClaim(dev, n, { token: TOKEN, scopes: ["operator.read"] }), { scopes: ["operator.admin"] }],
    ["id does not match", (n) => ({ ...deviceClaim(dev, n, { token: TOKEN }), id: "f".repeat(64) })],
  ];
  for (const [reason, claim, extra] of cases) {
    const { c, nonce } = await open(url);
    const res = await c.connect({ token: TOKEN }, { device: claim(nonce), ...extra });
    expect(res.ok).toBe(false);
    expect(res.error.message).toContain(reason);
    expect((await c.closedWith())).toEqual({ code: 1008, reason: "device identity refused" });
  }
});

test("a device on /ws (no challenge sent) is refused with a message naming the root URL", async () => {
  const url = start(devicesPath());
  const c = new OcClient(url.replace(/\/$/, "/ws"));
  await c.opened;
  const res = await c.connect({ token: TOKEN }, { device: deviceClaim(newDevice(), "x", { token: TOKEN }) });
  expect(res.error.message).toContain("root URL");
});

test("a rejected device is refused with 1008 pairing required; a wrong device token counts as a failed attempt", async () => {
  const path = devicesPath();
  const url = start(path);
  const dev = newDevice();
  const first = await open(url);
  await first.c.connect({ token: TOKEN }, { device: deviceClaim(dev, first.nonce, { token: TOKEN }) });
  first.c.close();
  new DeviceStore(path).reject(dev.id, Date.now());

  const { c, nonce } = await open(url);
  const res = await c.connect({ token: TOKEN }, { device: deviceClaim(dev, nonce, { token: TOKEN }) });
  expect(res.error.code).toBe("NOT_PAIRED");
  expect(await c.closedWith()).toEqual({ code: 1008, reason: "pairing required" });

  const bad = await open(url);
  const res2 = await bad.c.connect({ deviceToken: "not-the-device-token" }, { device: deviceClaim(dev, bad.nonce, { token: null }) });
  expect(res2.error.code).toBe("UNAUTHORIZED");
  expect(h!.gw.metrics.authFailures).toBeGreaterThan(0);
});

test("an approved device gets no more than the scopes it was approved with", async () => {
  const path = devicesPath();
  const url = start(path);
  const dev = newDevice();
  const a = await open(url);
  const res = await a.c.connect({ token: TOKEN }, { scopes: ["operator.read"], device: deviceClaim(dev, a.nonce, { token: TOKEN, scopes: ["operator.read"] }) });
  expect(res.payload.auth.scopes).toEqual(["operator.read"]);
  a.c.close();
  const b = await open(url);
  const all = ["operator.read", "operator.write", "operator.admin"];
  const res2 = await b.c.connect({ token: TOKEN }, { scopes: all, device: deviceClaim(dev, b.nonce, { token: TOKEN, scopes: all }) });
  expect(res2.payload.auth.scopes).toEqual(["operator.read"]);
  expect((await b.c.request("config.get")).error.code).toBe("FORBIDDEN");
  b.c.close();
});

test("a device from another address waits for approval (pending, 1008 pairing required), then approval admits it", async () => {
  const { admitDevice } = await import("../../../src/gateway/compat/pairing.ts");
  const store = new DeviceStore(devicesPath());
  const dev = newDevice();
  const nonce = "challenge-nonce";
  const all = new Set(["read", "write", "admin"] as const);
  const signed = [{ clientId: "test", clientMode: "test", role: "operator", scopes: [], token: TOKEN, platform: "linux" }];
  const admission = () => ({ store, claim: deviceClaim(dev, nonce, { token: TOKEN }), signed, requested: [], now: Date.now() });
  const refused = admitDevice(admission(), "192.0.2.10", nonce, all, {});
  expect(refused.ok).toBe(false);
  if (!refused.ok) {
    expect(refused.closeReason).toBe("pairing required");
    expect(refused.error.message).toContain(`openclaw devices approve ${dev.id.slice(0, 12)}`);
  }
  expect(store.get(dev.id)?.status).toBe("pending");
  expect(store.get(dev.id)?.ip).toBe("192.0.2.10");
  store.approve(dev.id.slice(0, 12), Date.now());
  const admitted = admitDevice(admission(), "192.0.2.10", nonce, all, {});
  expect(admitted.ok).toBe(true);
  // the approved device learns its token at this connect, once
  const token = admitted.ok ? (admitted.state as { deviceToken?: string }).deviceToken : undefined;
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(store.tokenMatches(store.get(dev.id)!, token!)).toBe(true);
  const later = admitDevice(admission(), "192.0.2.10", nonce, all, {});
  expect(later.ok && (later.state as { deviceToken?: string }).deviceToken).toBeUndefined();
});

test("with gateway.auth.mode none a device connects without any token", async () => {
  h = makeHarness({ deps: { auth: { mode: "none" }, openclaw: { devicesPath: devicesPath() } } });
  srv = listen(h);
  const { c, nonce } = await open(`ws://127.0.0.1:${srv.port}/`);
  const res = await c.connect(undefined, { device: deviceClaim(newDevice(), nonce, { token: null }) });
  expect(res.ok).toBe(true);
  c.close();
});
