import { afterEach, expect, test } from "bun:test";
import { listen, makeHarness, TOKEN, type Harness } from "../helpers.ts";
import type { RunningServer } from "../../../src/gateway/server.ts";
import { ocConnect } from "./oc-client.ts";

let h: Harness | undefined;
let srv: RunningServer | undefined;
afterEach(async () => {
  await srv?.stop(true);
  await h?.close();
  h = srv = undefined;
});

function start(): string {
  h = makeHarness({});
  srv = listen(h);
  return `ws://127.0.0.1:${srv.port}/`;
}

const clientOf = (id: string) => ({ client: { id, version: "2.0.0", platform: "linux", mode: "cli", deviceFamily: "Linux" } });

test("presence: hello-ok's snapshot lists the gateway and the client; a join and a leave reach the others as presence events", async () => {
  const url = start();
  const a = await ocConnect(url);
  const hello = await a.connect({ token: TOKEN }, clientOf("client-a"));
  const snap = hello.payload.snapshot;
  expect(snap.presence.map((p: any) => p.reason)).toEqual(["self", "connect"]);
  expect(snap.presence[0]).toMatchObject({ mode: "gateway", version: "test" });
  expect(snap.presence[1]).toMatchObject({ clientId: "client-a", host: "client-a", version: "2.0.0", platform: "linux", mode: "cli", roles: ["operator"] });
  expect(snap.stateVersion.presence).toBeGreaterThan(0);

  const b = await ocConnect(url);
  await b.connect({ token: TOKEN }, clientOf("client-b"));
  const joined = await a.until(() => a.frames.find((f) => f.event === "presence" && f.payload.presence.some((p: any) => p.clientId === "client-b")), "a presence event listing client-b");
  expect(joined.stateVersion.presence).toBeGreaterThan(snap.stateVersion.presence);
  expect(joined.payload.presence.map((p: any) => p.clientId ?? "self")).toEqual(["self", "client-b", "client-a"]);

  const listed = await a.request("system-presence");
  expect(listed.payload.map((p: any) => p.clientId ?? "self")).toEqual(["self", "client-b", "client-a"]);

  b.close();
  const left = await a.until(
    () => a.frames.find((f) => f.event === "presence" && f.stateVersion.presence > joined.stateVersion.presence),
    "a presence event after client-b left",
  );
  expect(left.payload.presence.map((p: any) => p.clientId ?? "self")).toEqual(["self", "client-a"]);
  a.close();
});

test("presence: a client refused at connect is never listed, and a read-less client gets no presence events", async () => {
  const url = start();
  const a = await ocConnect(url);
  await a.connect({ token: TOKEN }, clientOf("client-a"));
  const blind = await ocConnect(url);
  await blind.connect({ token: TOKEN }, { ...clientOf("blind"), scopes: ["operator.unknown"] });
  const bad = await ocConnect(url);
  const refused = await bad.connect({ token: "wrong-token" }, clientOf("intruder"));
  expect(refused.ok).toBe(false);
  await bad.closedWith();
  const listed = await a.request("system-presence");
  expect(listed.payload.map((p: any) => p.clientId ?? "self")).toEqual(["self", "blind", "client-a"]);
  expect(blind.frames.filter((f) => f.event === "presence")).toEqual([]);
  a.close();
  blind.close();
});
