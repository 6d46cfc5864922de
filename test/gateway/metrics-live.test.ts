// The dashboard's live metrics: exact quantiles over a bounded window, messages/s between samples,
// the bounded 5 s series, and metrics.snapshot over a real gateway.
import { afterAll, describe, expect, test } from "bun:test";
import { LatencyWindow, LiveMetrics } from "../../src/gateway/metrics-live.ts";
import { GatedProvider, makeHarness, waitFor } from "./helpers.ts";

describe("LatencyWindow", () => {
  test("nearest-rank p50 / p99; null when empty", () => {
    const w = new LatencyWindow(1000);
    expect(w.quantile(0.5)).toBeNull();
    for (let i = 1; i <= 100; i++) w.observe(101 - i); // 100 … 1, order must not matter
    expect(w.quantile(0.5)).toBe(50);
    expect(w.quantile(0.99)).toBe(99);
    expect(w.count).toBe(100);
  });
  test("keeps only the last `size` observations; count keeps growing", () => {
    const w = new LatencyWindow(10);
    for (let i = 0; i < 10; i++) w.observe(10_000);
    for (let i = 0; i < 10; i++) w.observe(5);
    expect(w.quantile(0.99)).toBe(5);
    expect(w.count).toBe(20);
  });
});

describe("LiveMetrics", () => {
  const probe = () => ({ rssBytes: 123, runsInFlight: 2 });
  test("messages/s is the count since the previous sample over the time between", () => {
    const m = new LiveMetrics(() => 0);
    expect(m.messagesPerSec()).toBe(0);
    m.messages += 10;
    m.sample(probe, 5_000);
    expect(m.messagesPerSec()).toBe(2);
    m.sample(probe, 10_000);
    expect(m.messagesPerSec()).toBe(0);
    m.messages += 1;
    m.sample(probe, 14_000);
    expect(m.messagesPerSec()).toBe(0.25);
    expect(m.columns()).toEqual({ t: [5_000, 10_000, 14_000], rssBytes: [123, 123, 123], messagesPerSec: [2, 0, 0.25], runsInFlight: [2, 2, 2] });
  });
  test("the series keeps the last 360 samples", () => {
    const m = new LiveMetrics(() => 0);
    for (let i = 1; i <= 400; i++) m.sample(probe, i * 5_000);
    const c = m.columns();
    expect(c.t.length).toBe(360);
    expect(c.t[0]).toBe(41 * 5_000);
    expect(c.t.at(-1)).toBe(400 * 5_000);
  });
});

describe("metrics.snapshot", () => {
  const provider = new GatedProvider();
  const h = makeHarness({ provider });
  afterAll(() => h.close());

  test("the documented shape, fed by real runs", async () => {
    const live = h.gw.metrics.live;
    const t0 = Date.now();
    const done = await h.rpc("chat.send", { sessionKey: "agent:main:m1", text: "a" });
    const aborted = await h.rpc("chat.send", { sessionKey: "agent:main:m2", text: "b" });
    await waitFor(() => provider.started === 2, "both runs to reach the provider");
    const inFlight = (await h.rpc("metrics.snapshot", {})).result;
    expect(inFlight.runsInFlight).toBe(2);
    await h.rpc("chat.abort", { runId: aborted.result.runId });
    provider.release();
    await waitFor(() => h.runtime.runs().length === 0, "the runs to end");
    live.sample(() => ({ rssBytes: 1, runsInFlight: 0 }), t0 + 5_000);

    const s = (await h.rpc("metrics.snapshot", {})).result;
    expect(Object.keys(s).sort()).toEqual(
      ["connections", "heapUsedBytes", "messagesPerSec", "rssBytes", "runsByOutcome", "runsInFlight", "series", "turnLatencyMs", "uptimeS", "version"],
    );
    expect(s.version).toBe("test");
    expect(s.runsByOutcome).toEqual({ ok: 1, aborted: 1, error: 0, limit: 0, interrupted: 0 });
    expect(s.turnLatencyMs.count).toBe(2);
    expect(typeof s.turnLatencyMs.p50).toBe("number");
    expect(s.turnLatencyMs.p99).toBeGreaterThanOrEqual(s.turnLatencyMs.p50);
    expect(s.messagesPerSec).toBeGreaterThan(0); // 2 messages since the gateway started, over ≤ 5 s
    expect(s.series.t.at(-1)).toBe(t0 + 5_000);
    expect(s.series.runsInFlight.at(-1)).toBe(0);
    expect(s.rssBytes).toBeGreaterThan(0);
    expect(s.heapUsedBytes).toBeGreaterThan(0);
    expect(done.result.runId).toMatch(/^run_/);
  });
});
