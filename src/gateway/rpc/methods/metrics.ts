/**
 * metrics.snapshot: the overview page's figures in one call (the page polls it every 5 s over its
 * socket). Counters and quantiles come from the gateway's metrics (metrics.ts, metrics-live.ts);
 * the series holds one sample every 5 s, the last 360. `turnLatencyMs.p50/p99` are null until a
 * run has finished; they cover the last 1,000 runs, `count` every run since start.
 */
import { z } from "zod";
import { RunOutcomeSchema } from "../../../core/events.ts";
import type { Gateway } from "../../gateway.ts";
import { defineMethod, type MethodDef } from "../method.ts";

export function metricsSnapshot(gw: Gateway) {
  const m = gw.metrics;
  const mem = process.memoryUsage();
  const runsByOutcome = Object.fromEntries(RunOutcomeSchema.options.map((o) => [o, m.runsByOutcome.get(o) ?? 0]));
  return {
    version: gw.version,
    uptimeS: Math.round((Date.now() - gw.startedAt) / 1000),
    runsInFlight: gw.runtime.runs().length,
    connections: m.wsConnections,
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    messagesPerSec: m.live.messagesPerSec(),
    turnLatencyMs: { p50: m.live.latency.quantile(0.5), p99: m.live.latency.quantile(0.99), count: m.live.latency.count },
    runsByOutcome,
    series: m.live.columns(),
  };
}

export function metricsMethods(gw: Gateway): MethodDef[] {
  return [defineMethod({ name: "metrics.snapshot", scope: "read", params: z.strictObject({}), handler: () => metricsSnapshot(gw) })];
}
