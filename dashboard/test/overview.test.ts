import { describe, expect, test } from "bun:test";
import OverviewPage from "../src/pages/OverviewPage.vue";
import { FakeGateway, settle } from "./fake-socket.ts";
import { mountPage } from "./mount.ts";

const snapshot = (over: Record<string, unknown> = {}) => ({
  version: "0.1.0", uptimeS: 3725, runsInFlight: 2, connections: 1, rssBytes: 80 * 1024 * 1024, heapUsedBytes: 1, messagesPerSec: 0.5,
  turnLatencyMs: { p50: 1840, p99: null, count: 3 }, runsByOutcome: { ok: 3, aborted: 1, error: 0, limit: 0, interrupted: 0 },
  series: { t: [1, 2], rssBytes: [1, 2], messagesPerSec: [0, 1], runsInFlight: [0, 1] }, ...over,
});

describe("OverviewPage", () => {
  test("the figures appear only with the first snapshot (never a placeholder a reader could take for data)", async () => {
    let answer: ((v: unknown) => void) | null = null;
    const gw = new FakeGateway({ "metrics.snapshot": () => new Promise((r) => (answer = r)) });
    const { wrapper } = await mountPage(OverviewPage, gw, "/overview");
    expect(wrapper.find('[data-testid="metric-version"]').exists()).toBe(false);
    answer!(snapshot());
    await settle();
    const text = (id: string) => wrapper.find(`[data-testid="${id}"]`).text();
    expect(text("metric-version")).toBe("0.1.0");
    expect(text("metric-uptime")).toBe("1h 2m");
    expect(text("metric-runs")).toBe("2");
    expect(text("metric-msgs")).toBe("0.50");
    expect(text("metric-p50")).toBe("1.84 s");
    expect(text("metric-p99")).toBe("—"); // null until enough runs: shown as no value
    expect(wrapper.find('[data-testid="chart-rss"]').exists()).toBe(true);
    wrapper.unmount();
  });
});
