// Retries, cut streams and aborts against the fake Messages API. Delays are measured through an
// injected sleep (a fake clock), never against the wall clock.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { ApiKey } from "../../src/core/secrets.ts";
import { AnthropicProvider } from "../../src/providers/anthropic.ts";
import type { Sleep } from "../../src/core/backoff.ts";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { collect, fakeSleep, ofType, request, stopOf, textOfEvents } from "./helpers.ts";

const KEY = "sk-ant-test-failures-0123456789";
const tools = [{ name: "exec", description: "Run", inputSchema: { type: "object", properties: { command: { type: "string" } } } }];
let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.stop());
afterEach(() => {
  fake.requests.length = 0;
  expect(fake.pending()).toBe(0);
});

function provider(opts: { maxRetries?: number; timeoutMs?: number; sleep?: Sleep; random?: () => number } = {}) {
  const clock = fakeSleep();
  const p = new AnthropicProvider({
    apiKey: new ApiKey(KEY),
    baseURL: fake.url,
    ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    retry: { sleep: opts.sleep ?? clock.sleep, random: opts.random ?? (() => 0.5) },
  });
  return { p, delays: clock.delays };
}

describe("retries", () => {
  test("429 with retry-after: waits exactly what the header asked, then succeeds", async () => {
    fake.enqueue(reply.rateLimited(2), reply.text("after the wait"));
    const { p, delays } = provider();
    const events = await collect(p.stream(request("hi")));
    expect(delays).toEqual([2000]);
    expect(fake.requests).toHaveLength(2);
    expect(textOfEvents(events)).toBe("after the wait");
    expect(stopOf(events).stopReason).toBe("end_turn");
    // a failed attempt leaves no trace: exactly one start event
    expect(ofType(events, "start")).toHaveLength(1);
  });

  test("retry-after-ms and an HTTP-date retry-after are honoured too", async () => {
    const date = new Date(Date.now() + 30_000).toUTCString();
    fake.enqueue(reply.rateLimited(undefined, { "retry-after-ms": "1234" }), reply.rateLimited(date), reply.text("ok"));
    const { p, delays } = provider();
    const stop = stopOf(await collect(p.stream(request("hi"))));
    expect(stop.stopReason).toBe("end_turn");
    expect(delays[0]).toBe(1234);
    // an HTTP date is relative to now: about 30 s (seconds resolution, test runtime)
    expect(delays[1]).toBeGreaterThan(25_000);
    expect(delays[1]).toBeLessThanOrEqual(30_000);
  });

  test("a retry-after beyond the cap is not waited for: the failure comes back at once", async () => {
    fake.enqueue(reply.rateLimited(3600));
    const { p, delays } = provider();
    const stop = stopOf(await collect(p.stream(request("hi"))));
    expect(delays).toEqual([]);
    expect(stop.error).toMatchObject({ kind: "rate_limited", status: 429, retryable: true });
    expect(stop.error).not.toHaveProperty("retryAfterMs");
  });

  test("500 retried with growing jittered backoff, then exhausted: one clean error event", async () => {
    fake.enqueue(reply.serverError(), reply.serverError(), reply.serverError(), reply.serverError());
    const { p, delays } = provider({ random: () => 0.5 });
    const events = await collect(p.stream(request("hi")));
    expect(fake.requests).toHaveLength(4); // 1 + 3 retries (the default)
    expect(delays).toEqual([375, 750, 1500]); // base 500 · 2^n, jitter in [½, 1] of that
    expect(events).toHaveLength(1);
    const stop = stopOf(events);
    expect(stop.stopReason).toBe("error");
    expect(stop.error).toMatchObject({ kind: "server_error", status: 500, retryable: true });
    expect(stop.message.content).toEqual([]);
  });

  test("529 overloaded retried up to maxRetries", async () => {
    fake.enqueue(reply.overloaded(), reply.overloaded());
    const { p, delays } = provider({ maxRetries: 1 });
    const stop = stopOf(await collect(p.stream(request("hi"))));
    expect(fake.requests).toHaveLength(2);
    expect(delays).toHaveLength(1);
    expect(stop.error).toMatchObject({ kind: "overloaded", status: 529 });
    expect(stop.error!.message).toContain("Overloaded");
  });

  test("400 is not retried", async () => {
    fake.enqueue(reply.badRequest("max_tokens: too large"));
    const { p, delays } = provider();
    const stop = stopOf(await collect(p.stream(request("hi"))));
    expect(fake.requests).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(stop.error).toMatchObject({ kind: "invalid_request", status: 400, retryable: false });
    expect(stop.error!.message).toContain("max_tokens: too large");
  });

  test("an overloaded error event before any output is retried", async () => {
    fake.enqueue(reply.streamError("overloaded_error"), reply.text("second try"));
    const { p, delays } = provider();
    const events = await collect(p.stream(request("hi")));
    expect(fake.requests).toHaveLength(2);
    expect(delays).toHaveLength(1);
    expect(textOfEvents(events)).toBe("second try");
  });

  test("never retried once text was yielded: the stream ends with the error", async () => {
    fake.enqueue(reply.streamError("overloaded_error", "partial answer"));
    const { p, delays } = provider();
    const events = await collect(p.stream(request("hi")));
    expect(fake.requests).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(textOfEvents(events)).toBe("partial answer");
    const stop = stopOf(events);
    expect(stop.stopReason).toBe("error");
    expect(stop.error).toMatchObject({ kind: "overloaded" });
    expect(stop.message.content).toEqual([{ type: "text", text: "partial answer" }]);
  });

  test("a connection refused is retried, then reported as a connection failure", async () => {
    const dead = await startFakeAnthropic();
    const url = dead.url;
    await dead.stop();
    const clock = fakeSleep();
    const p = new AnthropicProvider({ apiKey: new ApiKey(KEY), baseURL: url, maxRetries: 2, retry: { sleep: clock.sleep } });
    const stop = stopOf(await collect(p.stream(request("hi"))));
    expect(clock.delays).toHaveLength(2);
    expect(stop.error).toMatchObject({ kind: "connection", retryable: true });
  });
});

describe("cut streams", () => {
  test("connection dropped mid tool call: error, and no tool_call_end for the partial call", async () => {
    fake.enqueue(reply.toolUse("exec", { command: "rm -rf build && make all" }, { text: "Running.", cut: true }));
    const { p, delays } = provider();
    const events = await collect(p.stream(request("build", { tools })));
    expect(ofType(events, "tool_call_start")).toHaveLength(1);
    expect(ofType(events, "tool_call_delta").length).toBeGreaterThan(0);
    expect(ofType(events, "tool_call_end")).toHaveLength(0);
    const stop = stopOf(events);
    expect(stop.stopReason).toBe("error");
    expect(["stream_cut", "connection"]).toContain(stop.error!.kind);
    expect(stop.message.content).toEqual([{ type: "text", text: "Running." }]);
    expect(fake.requests).toHaveLength(1); // output had been yielded: no retry
    expect(delays).toEqual([]);
  });

  test("connection dropped before any output is retried", async () => {
    fake.enqueue(reply.message([], { cut: true }), reply.text("recovered"));
    const { p, delays } = provider();
    const events = await collect(p.stream(request("hi")));
    expect(fake.requests).toHaveLength(2);
    expect(delays).toHaveLength(1);
    expect(textOfEvents(events)).toBe("recovered");
  });

  test("a stream that stalls longer than timeoutMs ends with a timeout", async () => {
    fake.enqueue(reply.text("stalled", { hold: true }));
    const { p } = provider({ timeoutMs: 100, maxRetries: 0 });
    const events = await collect(p.stream(request("hi")));
    expect(textOfEvents(events)).toBe("stalled");
    expect(stopOf(events).error).toMatchObject({ kind: "timeout", retryable: true });
  });
});

describe("abort", () => {
  test("abort mid-stream ends with stopReason aborted and the text so far", async () => {
    fake.enqueue(reply.text("first words", { hold: true }));
    const ctl = new AbortController();
    const { p } = provider();
    const events = await collect(p.stream(request("hi"), ctl.signal), (ev) => {
      if (ev.type === "text_delta") ctl.abort();
    });
    const stop = stopOf(events);
    expect(stop.stopReason).toBe("aborted");
    expect(stop.error).toMatchObject({ kind: "aborted" });
    expect(textOfEvents(events).length).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(1);
  });

  test("an already aborted signal sends nothing", async () => {
    const { p } = provider();
    const stop = stopOf(await collect(p.stream(request("hi"), AbortSignal.abort())));
    expect(stop.stopReason).toBe("aborted");
    expect(fake.requests).toHaveLength(0);
  });

  test("abort while waiting to retry ends aborted without another request", async () => {
    fake.enqueue(reply.serverError());
    const ctl = new AbortController();
    const { p } = provider({ sleep: async () => ctl.abort() });
    const stop = stopOf(await collect(p.stream(request("hi"), ctl.signal)));
    expect(stop.stopReason).toBe("aborted");
    expect(fake.requests).toHaveLength(1);
  });

  test("a consumer that stops reading closes the request", async () => {
    fake.enqueue(reply.text("never finished", { hold: true }));
    const { p } = provider();
    for await (const ev of p.stream(request("hi"))) if (ev.type === "text_delta") break;
    // the held response resolves only when the client went away; the next request is served normally
    fake.enqueue(reply.text("next"));
    expect(textOfEvents(await collect(p.stream(request("again"))))).toBe("next");
  });
});
