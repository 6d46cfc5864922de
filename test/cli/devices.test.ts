import { expect, test } from "bun:test";
import { join } from "node:path";
import { DeviceStore } from "../../src/gateway/compat/device-store.ts";
import { runCli, tempState } from "./run.ts";

function seeded() {
  const st = tempState();
  const store = new DeviceStore(join(st.env.OPENCLAW_STATE_DIR!, "devices", "devices.json"));
  const id = "ab12cd34" + "0".repeat(56);
  store.put({ id, publicKey: "k".repeat(43), clientId: "openclaw-macos", platform: "macos", ip: "192.0.2.7", role: "operator", scopes: ["operator.read"], status: "pending", createdAt: 1_700_000_000_000 });
  return { env: st.env, store, id };
}

test("devices list shows a pending device; approve by prefix, reject, revoke change the file the gateway reads", () => {
  const { env, store, id } = seeded();
  const list = runCli(["devices", "list", "--json"], env);
  expect(list.code).toBe(0);
  const listed = JSON.parse(list.stdout);
  expect(listed.devices).toHaveLength(1);
  expect(listed.devices[0]).toMatchObject({ id, status: "pending", clientId: "openclaw-macos", hasToken: false });
  expect(list.stdout).not.toContain("publicKey");

  const text = runCli(["devices", "list"], env);
  expect(text.stdout).toContain("ab12cd340000  pending  openclaw-macos/macos  from 192.0.2.7");

  expect(runCli(["devices", "approve", "ab12cd34"], env).code).toBe(0);
  expect(store.get(id)?.status).toBe("approved");
  expect(runCli(["devices", "reject", id], env).code).toBe(0);
  expect(store.get(id)?.status).toBe("rejected");
  expect(JSON.parse(runCli(["devices", "list", "--json"], env).stdout).devices).toHaveLength(0);
  expect(JSON.parse(runCli(["devices", "list", "--all", "--json"], env).stdout).devices).toHaveLength(1);
  expect(runCli(["devices", "revoke", id], env).code).toBe(0);
  expect(store.get(id)).toBeUndefined();
}, 60_000);

test("an unknown device id is a clear error naming the list command", () => {
  const { env } = seeded();
  const r = runCli(["devices", "approve", "ffffffffff"], env);
  expect(r.code).not.toBe(0);
  expect(r.stderr + r.stdout).toContain("openclaw devices list");
}, 30_000);
