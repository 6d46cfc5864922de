// Wire formats are codecs chosen per connection by its first frame. A second codec (a tiny
// line protocol standing in for OpenClaw's frames) plugs in through GatewayDeps.codecs and runs
// beside JSON-RPC on one real socket; the hub serialises each event once per codec.
import { afterAll, describe, expect, test } from "bun:test";
import type { ClientError } from "../../src/gateway/client-error.ts";
import type { Codec, GatewayEvent } from "../../src/gateway/codec.ts";
import { Hub, type Subscriber } from "../../src/gateway/hub.ts";
import { jsonRpcCodec } from "../../src/gateway/rpc/codec.ts";
import { listen, makeHarness, TOKEN, waitFor, WsClient } from "./helpers.ts";

type Ref = string | null;
const encoded: GatewayEvent[] = [];
const line = (body: unknown) => `L ${JSON.stringify(body)}`;
const parse = (frame: string): Record<string, any> | null => {
  try {
    return frame.startsWith("L ") ? JSON.parse(frame.slice(2)) : null;
  } catch {
    return null;
  }
};
const lineCodec: Codec<Ref> = {
  name: "line",
  claims: (first) => first.startsWith("L "),
  decodeAuth: (frame) => ({ ref: parse(frame)?.id ?? null, token: typeof parse(frame)?.token === "string" ? parse(frame)!.token : null }),
  encodeAuthOk: (ref, hello) => line({ id: ref, hello: { scopes: hello.scopes, methods: hello.methods.length } }),
  decode(frame) {
    const f = parse(frame);
    if (!f || typeof f.call !== "string") return { kind: "invalid", ref: f?.id ?? null, error: { type: "BadFrame", code: -32600, message: "not a line frame" } };
    return { kind: "calls", batch: false, items: [{ ref: f.id ?? null, method: f.call, params: f.args }] };
  },
  encodeResult: (ref, result) => line({ id: ref, ok: result }),
  encodeError: (ref, error: ClientError) => line({ id: ref, err: error }),
  encodeBatch: (parts) => (parts.length ? parts.join("\n") : null),
  encodeEvent(event) {
    encoded.push(event);
    return event.kind === "run" ? line({ event: event.event.type, runId: event.runId }) : null;
  },
};

const h = makeHarness({ deps: { codecs: [lineCodec] } });
const srv = listen(h);
const url = `ws://127.0.0.1:${srv.port}/ws`;
afterAll(async () => {
  await srv.stop(true);
  await h.close();
});

/** A raw socket speaking the line codec. */
async function lineClient(opts: { header?: boolean } = {}) {
  const ws = new WebSocket(url, opts.header ? ({ headers: { authorization: `Bearer ${TOKEN}` } } as any) : undefined);
  const got: Record<string, any>[] = [];
  let closed: number | null = null;
  ws.addEventListener("message", (e) => got.push(parse(String(e.data)) ?? { raw: String(e.data) }));
  ws.addEventListener("close", (e) => (closed = e.code));
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error("websocket error")), { once: true });
  });
  return { ws, got, closed: () => closed, send: (body: unknown) => ws.send(line(body)) };
}

describe("a second codec beside JSON-RPC", () => {
  test("the first frame chooses it: authentication, hello, calls and errors in its own format", async () => {
    const c = await lineClient();
    c.send({ id: "a", token: TOKEN });
    await waitFor(() => c.got.length === 1, "the line codec's hello");
    expect(c.got[0]).toEqual({ id: "a", hello: { scopes: ["read", "write", "admin"], methods: h.gw.dispatcher.names().length } });
    c.send({ id: "b", call: "status", args: {} });
    c.send({ id: "c", call: "nope" });
    c.send({ id: "d", call: "chat.send", args: { text: 5 } });
    await waitFor(() => c.got.length === 4, "three answers");
    expect(c.got.find((g) => g.id === "b")!.ok.version).toBe("test");
    expect(c.got.find((g) => g.id === "c")!.err).toMatchObject({ type: "MethodNotFoundError", code: -32601 });
    expect(c.got.find((g) => g.id === "d")!.err).toMatchObject({ type: "InvalidParamsError", code: -32602 });
    c.ws.close();
  });
  test("a wrong token in its first frame is refused in its format, then close 1008", async () => {
    const c = await lineClient();
    c.send({ id: 1, token: "wrong" });
    await waitFor(() => c.closed() !== null, "the refused connection to close");
    expect(c.closed()).toBe(1008);
    expect(c.got[0]).toMatchObject({ id: 1, err: { type: "UnauthorizedError", code: -32001 } });
    h.gw.limiter.success("127.0.0.1");
  });
  test("JSON-RPC and line clients share a session: each gets every event in its format, one serialisation per codec", async () => {
    const key = "agent:main:two-codecs";
    const lines = await Promise.all(Array.from({ length: 5 }, () => lineClient({ header: true })));
    for (const [i, c] of lines.entries()) c.send({ id: `s${i}`, call: "sessions.subscribe", args: { sessionKey: key } });
    for (const c of lines) await waitFor(() => c.got.some((g) => g.ok?.subscribed === true), "a line client's subscription");
    const rpcs = await Promise.all(Array.from({ length: 5 }, () => WsClient.connect(url, { token: TOKEN })));
    for (const c of rpcs.slice(1)) await c.call("sessions.subscribe", { sessionKey: key });
    encoded.length = 0;
    const r = (await rpcs[0]!.call("chat.send", { sessionKey: key, text: "both" })).result;
    for (const c of rpcs) await c.until(() => c.events(r.runId).some((e) => e.type === "final"), 5000, "the JSON-RPC client's final");
    for (const c of lines) await waitFor(() => c.got.some((g) => g.event === "final" && g.runId === r.runId), "the line client's final");
    const types = ["text_delta", "text_delta", "final"];
    for (const c of rpcs) expect(c.events(r.runId).map((e) => e.type)).toEqual(types);
    for (const c of lines) expect(c.got.filter((g) => g.runId === r.runId).map((g) => g.event)).toEqual(types);
    expect(encoded.filter((e) => e.kind === "run" && e.runId === r.runId).length).toBe(types.length); // once per event, not per client
    for (const c of lines) c.ws.close();
    for (const c of rpcs) c.close();
  });
});

describe("Hub", () => {
  test("serialises an event once per codec however many subscribers speak it", () => {
    const hub = new Hub();
    let calls = 0;
    const counting = { encodeEvent: (e: GatewayEvent) => (calls++, jsonRpcCodec.encodeEvent(e)) };
    let otherCalls = 0;
    const other = { encodeEvent: () => (otherCalls++, "other") };
    const received: string[][] = [];
    const sub = (codec: Subscriber["codec"], i: number): Subscriber => {
      received[i] = [];
      return { id: `s${i}`, codec, send: (t) => received[i]!.push(t) };
    };
    for (let i = 0; i < 30; i++) hub.subscribe("k", sub(i % 3 === 0 ? other : counting, i));
    hub.publish({ type: "text_delta", runId: "run_1", sessionKey: "k", text: "hi" });
    expect(calls).toBe(1);
    expect(otherCalls).toBe(1);
    expect(received.every((r) => r.length === 1)).toBe(true);
    expect(JSON.parse(received[1]![0]!)).toEqual({ jsonrpc: "2.0", method: "chat.event", params: { sessionKey: "k", runId: "run_1", event: { type: "text_delta", runId: "run_1", sessionKey: "k", text: "hi" } } });
    expect(received[0]![0]).toBe("other");
  });
});
