// The WebSocket side through a real socket on 127.0.0.1:0.
import { afterAll, describe, expect, test } from "bun:test";
import { connect as netConnect, type Socket } from "node:net";
import { randomBytes } from "node:crypto";
import type { Provider, ProviderEvent, ProviderRequest } from "../../src/providers/types.ts";
import { emptyUsage } from "../../src/core/messages.ts";
import { GatedProvider, listen, makeHarness, TOKEN, waitFor, WsClient } from "./helpers.ts";

const h = makeHarness({
  config: { gateway: { limits: { maxFrameBytes: 100_000, maxConnections: 40, maxRunsPerSession: 8 } } },
  deps: { authTimeoutMs: 300 },
});
const srv = listen(h);
const wsUrl = `ws://127.0.0.1:${srv.port}/ws`;
afterAll(async () => {
  await srv.stop(true);
  await h.close();
});

const finalOf = (c: WsClient, runId: string) => c.events(runId).find((e) => e.type === "final");

describe("authentication", () => {
  test("Authorization header at upgrade", async () => {
    const c = await WsClient.connect(wsUrl, { token: TOKEN });
    expect((await c.call("status")).result.version).toBe("test");
    c.close();
  });
  test("first frame auth, then methods", async () => {
    const c = await WsClient.connect(wsUrl);
    expect((await c.call("auth", { token: TOKEN })).result).toEqual({ ok: true });
    expect((await c.call("status")).result.version).toBe("test");
    expect((await c.call("auth", { token: TOKEN })).result).toEqual({ ok: true }); // again: harmless
    c.close();
  });
  test("wrong, half, missing token in the first frame: error, then close 1008", async () => {
    for (const token of ["wrong", TOKEN.slice(0, 20), undefined]) {
      const c = await WsClient.connect(wsUrl);
      const r = await c.call("auth", token === undefined ? {} : { token });
      expect(r.error.code).toBe(-32001);
      expect(r.error.message).toBe("unauthorized");
      expect((await c.closedP).code).toBe(1008);
    }
    h.gw.limiter.success("127.0.0.1");
  });
  test("a first frame that is not auth closes with 1008", async () => {
    const c = await WsClient.connect(wsUrl);
    c.sendRaw(JSON.stringify({ jsonrpc: "2.0", method: "status", id: 1 }));
    expect((await c.closedP).code).toBe(1008);
    h.gw.limiter.success("127.0.0.1");
  });
  test("silence past the auth timeout closes with 1008", async () => {
    const c = await WsClient.connect(wsUrl);
    expect((await c.closedP).code).toBe(1008);
  });
  test("a token in the URL query is ignored", async () => {
    const c = await WsClient.connect(`${wsUrl}?token=${TOKEN}&access_token=${TOKEN}`);
    c.sendRaw(JSON.stringify({ jsonrpc: "2.0", method: "status", id: 1 }));
    expect((await c.closedP).code).toBe(1008);
    h.gw.limiter.success("127.0.0.1");
  });
  test("a wrong Authorization header is refused at upgrade (401)", async () => {
    const res = await fetch(`http://127.0.0.1:${srv.port}/ws`, { headers: { upgrade: "websocket", connection: "upgrade", "sec-websocket-key": randomBytes(16).toString("base64"), "sec-websocket-version": "13", authorization: "Bearer nope" } });
    expect(res.status).toBe(401);
    h.gw.limiter.success("127.0.0.1");
  });
  test("failed first-frame auth from loopback is rate limited", async () => {
    let limited = false;
    for (let i = 0; i < 12 && !limited; i++) {
      const c = await WsClient.connect(wsUrl);
      const r = await c.call("auth", { token: "bad" });
      if (r.error.code === -32005) limited = true;
      await c.closedP;
    }
    expect(limited).toBe(true);
    // blocked even with the right token now
    const c = await WsClient.connect(wsUrl);
    expect((await c.call("auth", { token: TOKEN })).error.code).toBe(-32005);
    h.gw.limiter.success("127.0.0.1");
  });
});

describe("origin and size", () => {
  const upgradeHeaders = (extra: Record<string, string>) => ({ upgrade: "websocket", connection: "upgrade", "sec-websocket-key": randomBytes(16).toString("base64"), "sec-websocket-version": "13", ...extra });
  test("a cross-origin upgrade is refused before auth, spoofed Host or not", async () => {
    const variants: Record<string, string>[] = [{ origin: "https://evil.example" }, { origin: "https://evil.example", host: `127.0.0.1:${srv.port}` }, { origin: "https://evil.example", authorization: `Bearer ${TOKEN}` }];
    for (const extra of variants) {
      const res = await fetch(`http://127.0.0.1:${srv.port}/ws`, { headers: upgradeHeaders(extra) });
      expect(res.status).toBe(403);
    }
    const own = await fetch(`http://127.0.0.1:${srv.port}/ws`, { headers: upgradeHeaders({ origin: `http://127.0.0.1:${srv.port}`, authorization: `Bearer ${TOKEN}` }) });
    expect(own.status).toBe(101);
  });
  test("a frame over the limit closes with 1009; the server stays up", async () => {
    const c = await WsClient.connect(wsUrl, { token: TOKEN });
    c.sendRaw("x".repeat(200_000));
    expect((await c.closedP).code).toBe(1009);
    const pre = await WsClient.connect(wsUrl);
    pre.sendRaw(JSON.stringify({ jsonrpc: "2.0", method: "auth", params: { token: "y".repeat(70_000) } }));
    expect((await pre.closedP).code).toBe(1009);
    expect((await fetch(`http://127.0.0.1:${srv.port}/healthz`)).status).toBe(200);
  });
  test("malformed frames get errors and the connection stays open", async () => {
    const c = await WsClient.connect(wsUrl, { token: TOKEN });
    const replies: any[] = [];
    c.ws.addEventListener("message", (e) => replies.push(JSON.parse(String(e.data))));
    for (const t of ["nope", '{"jsonrpc":"1.0","method":"status","id":1}', "[".repeat(5000), "[]", '{"jsonrpc":"2.0","method":"x.y","id":2}', '{"jsonrpc":"2.0","method":"chat.send","params":{"text":"hi","__proto__":{"polluted":1},"extra":1},"id":3}']) c.sendRaw(t);
    await c.until(() => replies.length >= 6, 5000, "six error replies");
    expect(replies.map((r) => r.error?.code).sort()).toEqual([-32700, -32600, -32600, -32600, -32601, -32602].sort());
    expect(({} as any).polluted).toBeUndefined();
    expect((await c.call("status")).result.version).toBe("test");
    c.close();
  });
  test("a batch over WS answers in one frame", async () => {
    const c = await WsClient.connect(wsUrl, { token: TOKEN });
    let frame: any;
    c.ws.addEventListener("message", (e) => (frame = JSON.parse(String(e.data))));
    c.sendRaw(JSON.stringify([{ jsonrpc: "2.0", method: "status", id: "a" }, { jsonrpc: "2.0", method: "status" }, { jsonrpc: "2.0", method: "tools.list", id: "b" }]));
    await c.until(() => frame !== undefined, 5000, "the batch reply");
    expect(frame.map((r: any) => r.id)).toEqual(["a", "b"]);
    c.close();
  });
});

describe("chat over WebSocket", () => {
  test("chat.send answers {runId, sessionKey} first, then text_delta … final", async () => {
    const c = await WsClient.connect(wsUrl, { token: TOKEN });
    const order: string[] = [];
    c.ws.addEventListener("message", (e) => {
      const m = JSON.parse(String(e.data));
      order.push(m.id !== undefined ? "response" : m.params.event.type);
    });
    const r = (await c.call("chat.send", { sessionKey: "agent:main:ws1", text: "hi" })).result;
    expect(r.sessionKey).toBe("agent:main:ws1");
    await c.until(() => finalOf(c, r.runId) !== undefined, 5000, "the run's final event");
    expect(order[0]).toBe("response");
    expect(order.filter((t) => t !== "response")).toEqual(["text_delta", "text_delta", "final"]);
    const evs = c.events(r.runId);
    expect(evs.filter((e) => e.type === "text_delta").map((e) => e.text).join("")).toBe("echo: hi");
    expect(finalOf(c, r.runId)).toMatchObject({ outcome: "ok", text: "echo: hi" });
    const n = c.notifications.find((x) => x.method === "chat.event");
    expect(n.params).toMatchObject({ sessionKey: "agent:main:ws1", runId: r.runId });
    c.close();
  });
  test("without a sessionKey the default session is used", async () => {
    const c = await WsClient.connect(wsUrl, { token: TOKEN });
    const r = (await c.call("chat.send", { text: "default" })).result;
    expect(r.sessionKey).toBe("agent:main:main");
    await c.until(() => finalOf(c, r.runId) !== undefined, 5000, "the run's final event");
    c.close();
  });
  test("many clients subscribed to one session all get every event; unsubscribe stops them", async () => {
    const key = "agent:main:shared";
    const clients = await Promise.all(Array.from({ length: 25 }, () => WsClient.connect(wsUrl, { token: TOKEN })));
    for (const c of clients.slice(1)) expect((await c.call("sessions.subscribe", { sessionKey: key })).result.subscribed).toBe(true);
    const quitter = clients[clients.length - 1]!;
    expect((await quitter.call("sessions.unsubscribe", { sessionKey: key })).result.unsubscribed).toBe(true);
    const r = (await clients[0]!.call("chat.send", { sessionKey: key, text: "to all" })).result;
    for (const c of clients.slice(0, -1)) {
      await c.until(() => finalOf(c, r.runId) !== undefined, 5000, "the run's final event");
      expect(c.events(r.runId).map((e) => e.type)).toEqual(["text_delta", "text_delta", "final"]);
    }
    // the quitter got nothing of this run (its final would have arrived with the others')
    await clients[0]!.call("status");
    expect(quitter.events(r.runId)).toEqual([]);
    for (const c of clients) c.close();
  });
  test("logs.tail returns recent lines and streams new ones", async () => {
    const c = await WsClient.connect(wsUrl, { token: TOKEN });
    h.gw.log.warn("before tail");
    const r = (await c.call("logs.tail", { lines: 10 })).result;
    expect(r.following).toBe(true);
    expect(r.records.some((x: any) => x.msg === "before tail")).toBe(true);
    h.gw.log.warn("after tail sk-ant-" + "z".repeat(30));
    await c.until(() => c.notifications.some((n) => n.method === "logs.record" && n.params.msg.startsWith("after tail")), 5000, "the logs.record of the new line");
    const rec = c.notifications.find((n) => n.method === "logs.record" && n.params.msg.startsWith("after tail"));
    expect(rec.params.msg).not.toContain("z".repeat(30)); // redacted
    await c.call("logs.tail", { lines: 0, follow: false });
    c.close();
  });
});

describe("runs in flight, abort, connection cap", () => {
  const gated = new GatedProvider();
  const g = makeHarness({ provider: gated, config: { gateway: { limits: { maxRunsPerSession: 2, maxConnections: 3 } } } });
  const gsrv = listen(g);
  const url = `ws://127.0.0.1:${gsrv.port}/ws`;
  afterAll(async () => {
    gated.release();
    await gsrv.stop(true);
    await g.close();
  });

  test("chat.abort stops a running turn; it ends aborted", async () => {
    const c = await WsClient.connect(url, { token: TOKEN });
    const r = (await c.call("chat.send", { sessionKey: "agent:main:abort", text: "long" })).result;
    await c.until(() => c.events(r.runId).some((e) => e.type === "text_delta"), 5000, "the first text_delta");
    expect((await c.call("chat.abort", { runId: r.runId })).result.aborted).toBe(true);
    await c.until(() => finalOf(c, r.runId) !== undefined, 5000, "the run's final event");
    expect(finalOf(c, r.runId).outcome).toBe("aborted");
    const hist = (await c.call("chat.history", { sessionKey: "agent:main:abort" })).result.entries;
    expect(hist.find((e: any) => e.kind === "run_finished").outcome).toBe("aborted");
    c.close();
  });
  test("runs in flight per session are capped (-32005)", async () => {
    const c = await WsClient.connect(url, { token: TOKEN });
    const key = "agent:main:cap";
    const a = await c.call("chat.send", { sessionKey: key, text: "1" });
    const b = await c.call("chat.send", { sessionKey: key, text: "2" });
    const third = await c.call("chat.send", { sessionKey: key, text: "3" });
    expect(a.result.runId).toBeDefined();
    expect(b.result.runId).toBeDefined();
    expect(third.error.code).toBe(-32005);
    expect((await c.call("chat.send", { sessionKey: "agent:main:other", text: "x" })).result.runId).toBeDefined();
    gated.release();
    await c.until(() => finalOf(c, a.result.runId) !== undefined, 5000, "the first run's final event");
    await waitFor(() => (gated.release(), g.gw.runs.inFlight(key) <= 1), "the first capped run to release its slot");
    gated.release();
    await c.until(() => finalOf(c, b.result.runId) !== undefined, 5000, "the second run's final event");
    expect((await c.call("chat.send", { sessionKey: key, text: "4" })).result.runId).toBeDefined();
    gated.release();
    c.close();
  });
  test("connections beyond the cap get 503", async () => {
    const open = await Promise.all([1, 2, 3].map(() => WsClient.connect(url, { token: TOKEN })));
    const res = await fetch(`http://127.0.0.1:${gsrv.port}/ws`, { headers: { upgrade: "websocket", connection: "upgrade", "sec-websocket-key": randomBytes(16).toString("base64"), "sec-websocket-version": "13", authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(503);
    for (const c of open) c.close();
    await Promise.all(open.map((c) => c.closedP));
    await waitFor(() => g.gw.metrics.wsConnections === 0, "the closed connections to be counted out");
    const again = await WsClient.connect(url, { token: TOKEN });
    expect((await again.call("status")).result).toBeDefined();
    again.close();
  });
});

/** Emits many large deltas: a reader that does not read must be dropped, not buffered. */
class FloodProvider implements Provider {
  readonly id = "flood";
  async *stream(request: ProviderRequest): AsyncIterable<ProviderEvent> {
    const chunk = "z".repeat(256 * 1024);
    yield { type: "start", model: request.model };
    for (let i = 0; i < 160; i++) {
      yield { type: "text_delta", text: chunk };
      if (i % 8 === 0) await Bun.sleep(1);
    }
    yield { type: "stop", stopReason: "end_turn", message: { role: "assistant", content: [{ type: "text", text: "flooded" }] }, usage: emptyUsage() };
  }
}

function rawWsFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 255]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([head, mask, masked]);
}

describe("backpressure", () => {
  test("a client that stops reading is dropped; the gateway stays responsive", async () => {
    const f = makeHarness({ provider: new FloodProvider(), config: { gateway: { limits: { maxBufferedBytes: 1_048_576 } } } });
    const fsrv = listen(f);
    try {
      const key = "agent:main:flood";
      const sock: Socket = netConnect(fsrv.port, "127.0.0.1");
      let closed = false;
      sock.on("close", () => (closed = true));
      sock.on("error", () => {});
      await new Promise<void>((resolve) => sock.once("connect", () => resolve()));
      sock.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
      await new Promise<void>((resolve) => sock.once("data", () => resolve()));
      let subscribed = false;
      sock.once("data", () => (subscribed = true));
      sock.write(rawWsFrame(JSON.stringify({ jsonrpc: "2.0", method: "sessions.subscribe", params: { sessionKey: key }, id: 1 })));
      await waitFor(() => subscribed, "the reply to sessions.subscribe");
      sock.pause(); // stop reading: kernel buffers fill, then Bun's, then the limit
      const driver = await WsClient.connect(`ws://127.0.0.1:${fsrv.port}/ws`, { token: TOKEN });
      const r = (await driver.call("chat.send", { sessionKey: key, text: "go" })).result;
      await driver.until(() => finalOf(driver, r.runId) !== undefined, 20_000, "the flood run's final event");
      await waitFor(() => f.gw.metrics.wsConnections === 1, "the non-reading client to be dropped", 10_000);
      expect(f.gw.metrics.wsConnections).toBe(1); // only the driver is left
      sock.resume();
      await waitFor(() => closed, "the dropped socket to close", 10_000);
      expect(closed).toBe(true);
      expect((await driver.call("status")).result).toBeDefined();
      driver.close();
      sock.destroy();
    } finally {
      await fsrv.stop(true);
      await f.close();
    }
  }, 30_000);
});
