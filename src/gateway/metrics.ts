/**
 * Gateway metrics in Prometheus text format (version 0.0.4). Fixed label sets, fixed buckets, so
 * memory does not grow with traffic. Event-loop lag is sampled by a timer that does not keep the
 * process alive.
 */
import { LiveMetrics } from "./metrics-live.ts";

const BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

class Histogram {
  readonly counts = new Array<number>(BUCKETS_S.length).fill(0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < BUCKETS_S.length; i++) if (seconds <= BUCKETS_S[i]!) this.counts[i]!++;
  }
  render(name: string, labels: string, out: string[]): void {
    const sep = labels ? "," : "";
    for (let i = 0; i < BUCKETS_S.length; i++) out.push(`${name}_bucket{${labels}${sep}le="${BUCKETS_S[i]}"} ${this.counts[i]}`);
    out.push(`${name}_bucket{${labels}${sep}le="+Inf"} ${this.count}`);
    out.push(`${name}_sum${labels ? `{${labels}}` : ""} ${this.sum}`);
    out.push(`${name}_count${labels ? `{${labels}}` : ""} ${this.count}`);
  }
}

const esc = (v: string): string => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export class GatewayMetrics {
  messages = 0;
  readonly runsByOutcome = new Map<string, number>();
  readonly runLatency = new Histogram();
  readonly rpcLatency = new Map<string, Histogram>();
  readonly rpcErrors = new Map<string, number>();
  readonly http = new Map<string, number>();
  authFailures = 0;
  wsConnections = 0;
  wsTotal = 0;
  wsDroppedSlow = 0;
  eventLoopLagMs = 0;
  /** the dashboard's figures: messages/s, turn latency quantiles, the 5 s series (metrics-live.ts) */
  readonly live = new LiveMetrics();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Only method names from the dispatcher's table reach here, so the label set stays bounded. */
  observeRpc(method: string, ms: number, ok: boolean): void {
    let h = this.rpcLatency.get(method);
    if (!h) this.rpcLatency.set(method, (h = new Histogram()));
    h.observe(ms / 1000);
    if (!ok) this.rpcErrors.set(method, (this.rpcErrors.get(method) ?? 0) + 1);
  }

  observeRun(outcome: string, durationMs: number): void {
    this.runsByOutcome.set(outcome, (this.runsByOutcome.get(outcome) ?? 0) + 1);
    this.runLatency.observe(durationMs / 1000);
    this.live.latency.observe(durationMs);
  }

  observeHttp(status: number): void {
    const cls = `${Math.floor(status / 100)}xx`;
    this.http.set(cls, (this.http.get(cls) ?? 0) + 1);
  }

  startLagSampler(intervalMs = 500): void {
    if (this.#timer) return;
    let expected = performance.now() + intervalMs;
    this.#timer = setInterval(() => {
      const now = performance.now();
      this.eventLoopLagMs = Math.max(0, now - expected);
      expected = now + intervalMs;
    }, intervalMs);
    this.#timer.unref?.();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.live.stop();
  }

  render(extra: { runsInFlight: number; uptimeS: number }): string {
    const out: string[] = [];
    const gauge = (name: string, help: string, value: number, type = "gauge") => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
    };
    gauge("openclaw_messages_total", "Messages accepted (chat.send and OpenAI requests).", this.messages, "counter");
    out.push("# HELP openclaw_runs_total Finished runs by outcome.", "# TYPE openclaw_runs_total counter");
    for (const [o, n] of this.runsByOutcome) out.push(`openclaw_runs_total{outcome="${esc(o)}"} ${n}`);
    out.push("# HELP openclaw_run_duration_seconds Run duration, user message to final event.", "# TYPE openclaw_run_duration_seconds histogram");
    this.runLatency.render("openclaw_run_duration_seconds", "", out);
    out.push("# HELP openclaw_rpc_duration_seconds JSON-RPC request latency by method.", "# TYPE openclaw_rpc_duration_seconds histogram");
    for (const [m, h] of this.rpcLatency) h.render("openclaw_rpc_duration_seconds", `method="${esc(m)}"`, out);
    out.push("# HELP openclaw_rpc_errors_total JSON-RPC requests answered with an error.", "# TYPE openclaw_rpc_errors_total counter");
    for (const [m, n] of this.rpcErrors) out.push(`openclaw_rpc_errors_total{method="${esc(m)}"} ${n}`);
    out.push("# HELP openclaw_http_responses_total HTTP responses by status class.", "# TYPE openclaw_http_responses_total counter");
    for (const [c, n] of this.http) out.push(`openclaw_http_responses_total{class="${c}"} ${n}`);
    gauge("openclaw_auth_failures_total", "Failed authentication attempts.", this.authFailures, "counter");
    gauge("openclaw_ws_connections", "Open WebSocket connections.", this.wsConnections);
    gauge("openclaw_ws_connections_total", "WebSocket connections accepted.", this.wsTotal, "counter");
    gauge("openclaw_ws_dropped_slow_total", "WebSocket clients dropped for not reading (backpressure).", this.wsDroppedSlow, "counter");
    gauge("openclaw_runs_in_flight", "Runs queued or running.", extra.runsInFlight);
    gauge("process_resident_memory_bytes", "Resident set size.", process.memoryUsage.rss());
    gauge("openclaw_event_loop_lag_seconds", "Event-loop lag, last sample.", this.eventLoopLagMs / 1000);
    gauge("openclaw_uptime_seconds", "Seconds since the gateway started.", extra.uptimeS);
    return out.join("\n") + "\n";
  }
}
