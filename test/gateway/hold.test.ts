// Frames held back while a request is in flight are capped by bytes as well as count: a client
// whose held frames pass `gateway.limits.maxBufferedBytes` is dropped instead of buffered.
import { afterAll, describe, expect, test } from "bun:test";
import { HoldQueue } from "../../src/gateway/hold.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { emptyUsage } from "../../src/core/messages.ts";
import type { Provider, ProviderEvent, ProviderRequest } from "../../src/providers/types.ts";
import { listen, makeHarness, TOKEN, waitFor, WsClient } from "./helpers.ts";

describe("HoldQueue", () => {
  test("one oversized frame is refused and not kept", () => {
    const q = new HoldQueue(() => ({ maxCount: 10_000, maxBytes: 4 * 1024 * 1024 }));
    expect(q.push("small")).toBe(true);
    expect(q.push("x".repeat(5 * 1024 * 1024))).toBe(false);
    expect(q.size).toBe(1);
    expect(q.bytes).toBe(5);
  });
  test("bytes are UTF-8 bytes, not string length", () => {
    const q = new HoldQueue(() => ({ maxCount: 10, maxBytes: 1000 }));
    expect(q.push("é".repeat(400))).toBe(true); // 800 bytes
    expect(q.bytes).toBe(800);
    expect(q.push("é".repeat(101))).toBe(false); // 202 more would be 1002
    expect(q.push("é".repeat(100))).toBe(true);
    expect(q.bytes).toBe(1000);
  });
  test("the count cap still holds; drain empties", () => {
    const q = new HoldQueue(() => ({ maxCount: 3, maxBytes: 1_000_000 }));
    for (let i = 0; i < 3; i++) expect(q.push(`m${i}`)).toBe(true);
    expect(q.push("m3")).toBe(false);
    expect(q.drain()).toEqual(["m0", "m1", "m2"]);
    expect(q.size).toBe(0);
    expect(q.bytes).toBe(0);
  });
});

const BLOCKED = "agent:main:blocked";

/** getSession of BLOCKED waits until `release()`: a request that stays in flight as long as the test wants. */
class BlockingStore extends MemoryStore {
  entered = false;
  #release: (() => void) | undefined;
  readonly #gate = new Promise<void>((resolve) => (this.#release = resolve));
  release(): void {
    this.#release?.();
  }
  override async getSession(key: string) {
    if (key === BLOCKED) {
      this.entered = true;
      await this.#gate;
    }
    return super.getSession(key);
  }
}

/** 24 deltas of 50,000 bytes, yielding between them so a client that reads keeps up. */
class ChunkProvider implements Provider {
  readonly id = "chunks";
  async *stream(request: ProviderRequest): AsyncIterable<ProviderEvent> {
    yield { type: "start", model: request.model };
    for (let i = 0; i < 24; i++) {
      yield { type: "text_delta", text: "z".repeat(50_000) };
      await Bun.sleep(1);
    }
    yield { type: "stop", stopReason: "end_turn", message: { role: "assistant", content: [{ type: "text", text: "done" }] }, usage: emptyUsage() };
  }
}

describe("a connection whose held frames pass the byte cap", () => {
  const store = new BlockingStore();
  // 1.2 MB of deltas held against a 1 MiB cap: 25 frames, far below the count cap of 10,000
  const h = makeHarness({ provider: new ChunkProvider(), store, config: { gateway: { limits: { maxBufferedBytes: 1_048_576 } } } });
  const srv = listen(h);
  const url = `ws://127.0.0.1:${srv.port}/ws`;
  afterAll(async () => {
    store.release();
    await srv.stop(true);
    await h.close();
  });

  test("is dropped (1008 backpressure) instead of buffering; the sender is served", async () => {
    const key = "agent:main:held";
    const a = await WsClient.connect(url, { token: TOKEN });
    expect((await a.call("sessions.subscribe", { sessionKey: key })).result.subscribed).toBe(true);
    void a.call("sessions.get", { sessionKey: BLOCKED }); // holds a's frames until it is answered
    await waitFor(() => store.entered, "the blocked request to reach the store");
    const b = await WsClient.connect(url, { token: TOKEN });
    const r = (await b.call("chat.send", { sessionKey: key, text: "big" })).result;
    await b.until(() => b.events(r.runId).some((e) => e.type === "final"), 10_000, "the sender's final event");
    expect(b.events(r.runId).filter((e) => e.type === "text_delta").length).toBe(24);
    await waitFor(() => a.closed !== null, "the holding client to be dropped");
    expect(a.closed).toEqual({ code: 1008, reason: "backpressure" });
    expect(h.gw.metrics.wsDroppedSlow).toBe(1);
    b.close();
  }, 20_000);
});
