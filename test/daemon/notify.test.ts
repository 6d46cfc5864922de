// sd_notify through bun:ffi (src/daemon/notify.ts) against a real unix datagram socket.
import { afterEach, expect, test } from "bun:test";
import { sdNotify, sendNotify, sockaddrUn } from "../../src/daemon/notify.ts";
import { listenNotify, parseState, type NotifyListener } from "./notify-listener.ts";

let listener: NotifyListener | undefined;
afterEach(() => listener?.close());

test("a datagram reaches a socket path", async () => {
  listener = await listenNotify();
  sendNotify(listener.socket, "READY=1\nSTATUS=up");
  expect(parseState(await listener.next())).toEqual({ READY: "1", STATUS: "up" });
});

test("a datagram reaches an abstract socket (@name)", async () => {
  listener = await listenNotify({ abstract: true });
  expect(sdNotify("STOPPING=1", { NOTIFY_SOCKET: listener.socket })).toBe(true);
  expect(await listener.next()).toBe("STOPPING=1");
});

test("without NOTIFY_SOCKET nothing is sent; a missing socket is a logged false, never a throw", () => {
  expect(sdNotify("READY=1", {})).toBe(false);
  expect(sdNotify("READY=1", { NOTIFY_SOCKET: "/nonexistent/notify.sock" })).toBe(false);
  expect(() => sendNotify("/nonexistent/notify.sock", "READY=1")).toThrow(/errno 2/);
});

test("sockaddr_un: family, NUL-terminated path, exact abstract length, long paths refused", () => {
  const p = sockaddrUn("/run/x");
  expect([p.addr[0], p.addr[1]]).toEqual([1, 0]);
  expect(p.length).toBe(2 + 6 + 1);
  const a = sockaddrUn("@abc");
  expect(a.addr[2]).toBe(0);
  expect(Buffer.from(a.addr.slice(3, 6)).toString()).toBe("abc");
  expect(a.length).toBe(2 + 1 + 3);
  expect(() => sockaddrUn("/" + "x".repeat(200))).toThrow(/1-107 bytes/);
});
