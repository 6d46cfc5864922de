import { describe, expect, test } from "bun:test";
import { FakeGateway, settle } from "./fake-socket.ts";
import { DisconnectedError, RpcError } from "../src/rpc/errors.ts";
import { backoffMs } from "../src/lib/backoff.ts";
import { wsUrl } from "../src/lib/ws-url.ts";

describe("the RPC connection", () => {
  test("connects, answers calls, and shows its state", async () => {
    const gw = new FakeGateway({ status: () => ({ version: "1.2.3", uptimeS: 5 }) });
    const conn = gw.connection();
    expect(conn.state.value).toBe("disconnected");
    conn.start();
    expect(conn.state.value).toBe("connecting");
    await settle();
    expect(conn.state.value).toBe("connected");
    expect(await conn.call("status", {})).toEqual({ version: "1.2.3", uptimeS: 5 });
  });

  test("a JSON-RPC error arrives typed, with its details", async () => {
    const gw = new FakeGateway({
      "config.patch": () => {
        throw Object.assign(new Error("invalid config"), { code: -32030, data: { details: [{ path: "gateway.port", message: "too big" }] } });
      },
    });
    const conn = gw.connection();
    conn.start();
    await settle();
    const err = await conn.call("config.patch", { patch: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(-32030);
    expect((err as RpcError).details).toEqual([{ path: "gateway.port", message: "too big" }]);
  });

  test("a dropped socket fails the calls in flight, reconnects with growing backoff, and runs onOpen again", async () => {
    let answer: (() => void) | null = null;
    const gw = new FakeGateway({ status: () => new Promise((r) => (answer = () => r({ version: "x", uptimeS: 1 }))) });
    const conn = gw.connection({ autoOpen: false });
    let opens = 0;
    conn.onOpen(() => opens++);
    conn.start();
    gw.socket.open();
    expect(opens).toBe(1);
    const pending = conn.call("status", {}).catch((e: unknown) => e);
    await settle();
    expect(answer).not.toBeNull();
    gw.socket.drop(1006);
    expect(await pending).toBeInstanceOf(DisconnectedError);
    expect(conn.state.value).toBe("disconnected");
    await expect(conn.call("status", {})).rejects.toBeInstanceOf(DisconnectedError);
    await settle();
    const delays: number[] = [];
    // two attempts whose socket never opens, then one that does
    for (let i = 0; i < 2; i++) {
      delays.push(gw.fire());
      expect(conn.state.value).toBe("connecting");
      gw.socket.drop(1006);
      await settle();
    }
    delays.push(gw.fire());
    gw.socket.open();
    expect(delays).toEqual([500, 1000, 2000]);
    expect(conn.state.value).toBe("connected");
    expect(opens).toBe(2);
    // a working connection starts the backoff over
    gw.socket.drop(1006);
    await settle();
    expect(gw.fire()).toBe(500);
  });

  test("a late frame from a replaced socket is ignored", async () => {
    const gw = new FakeGateway({});
    const conn = gw.connection();
    const seen: unknown[] = [];
    conn.on("logs.record", (p) => seen.push(p));
    conn.start();
    await settle();
    const old = gw.socket;
    old.drop(1006);
    await settle();
    gw.fire();
    await settle();
    old.readyState = 1; // the dead socket still delivers something
    old.deliver({ jsonrpc: "2.0", method: "logs.record", params: { msg: "stale" } });
    gw.notify("logs.record", { msg: "fresh" });
    expect(seen).toEqual([{ msg: "fresh" }]);
  });

  test("closed 1008 with the login gone: stops and reports unauthorized, no reconnect", async () => {
    const gw = new FakeGateway({});
    const conn = gw.connection({ stillAuthenticated: async () => false });
    let unauthorized = 0;
    conn.onUnauthorized(() => unauthorized++);
    conn.start();
    await settle();
    gw.socket.drop(1008, "session revoked");
    await settle();
    expect(unauthorized).toBe(1);
    expect(conn.state.value).toBe("disconnected");
    expect(gw.timers.filter((t) => !t.cleared)).toEqual([]);
  });

  test("closed 1008 while still logged in (e.g. backpressure): reconnects", async () => {
    const gw = new FakeGateway({});
    const conn = gw.connection({ stillAuthenticated: async () => true });
    conn.start();
    await settle();
    gw.socket.drop(1008, "backpressure");
    await settle();
    expect(gw.timers.filter((t) => !t.cleared).length).toBe(1);
  });

  test("stop() closes the socket and cancels a pending reconnect", async () => {
    const gw = new FakeGateway({});
    const conn = gw.connection();
    conn.start();
    await settle();
    gw.socket.drop(1006);
    await settle();
    expect(gw.timers.filter((t) => !t.cleared).length).toBe(1);
    conn.stop();
    expect(gw.timers.filter((t) => !t.cleared)).toEqual([]);
    expect(conn.state.value).toBe("disconnected");
  });
});

describe("backoff and address", () => {
  test("backoff doubles from 0.5 s, capped at 15 s, jittered between half and full", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((n) => backoffMs(n, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    expect(backoffMs(3, () => 0)).toBe(2000);
  });

  test("the socket address is this origin's /ws, whatever the query or fragment say", () => {
    expect(wsUrl({ protocol: "http:", host: "127.0.0.1:18789" })).toBe("ws://127.0.0.1:18789/ws");
    expect(wsUrl({ protocol: "https:", host: "gw.example.org" })).toBe("wss://gw.example.org/ws");
    history.replaceState(null, "", "/?gatewayUrl=ws://evil.example:1/ws#/chat?gatewayUrl=ws://evil.example:2");
    expect(wsUrl()).toBe(`ws://${location.host}/ws`);
    expect(wsUrl()).not.toContain("evil");
  });
});
