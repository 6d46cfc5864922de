/**
 * OpenClaw frames vs JSON-RPC on the same gateway (prints figures; not a pass/fail test).
 * Run: `bun test/bench/openclaw-protocol.ts`.
 *
 * One gateway in a child process (the real stack: Bun.serve + the codecs + AgentRuntime with the
 * instant scripted provider + SqliteStore, WAL, synchronous=FULL) on 127.0.0.1:0. The same
 * closed-loop chat load runs through each protocol, alternating phases (jsonrpc, openclaw, jsonrpc,
 * openclaw) so drift on a shared machine hits both: every session has one message in flight; a
 * message is `chat.send` → answer → the run's final event (JSON-RPC `chat.event` final; OpenClaw
 * `chat` state final); latency is send → final. Bounded: `BENCH_MESSAGES` (default 3000) per phase,
 * `BENCH_MAX_SECONDS` (default 60) per phase. Baseline (2-core shared dev box, 64 sessions over 8
 * sockets): see docs/openclaw-protocol.md.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TOKEN = "bench-token-" + "b".repeat(32);

async function serve(): Promise<void> {
  const { ConfigSchema } = await import("../../src/config/schema.ts");
  const { configureLogging } = await import("../../src/core/log.ts");
  const { ApiKey } = await import("../../src/core/secrets.ts");
  const { openStore } = await import("../../src/store/sqlite.ts");
  const { buildRuntime } = await import("../../src/agent/build-runtime.ts");
  const { createGateway } = await import("../../src/gateway/gateway.ts");
  const { MemoryConfigSource } = await import("../../src/gateway/config-source.ts");
  const { serveGateway } = await import("../../src/gateway/server.ts");
  const { ScriptedProvider } = await import("../fakes/scripted-provider.ts");
  configureLogging({ level: "error" });
  const raw = { agents: { defaults: { sandbox: { level: "off" }, maxConcurrent: 64 } }, gateway: { limits: { maxConnections: 1024 } }, logging: { level: "error" } };
  const config = ConfigSchema.parse(raw);
  const dir = mkdtempSync(join(tmpdir(), "bench-oc-"));
  const store = await openStore(join(dir, "openclaw.db"));
  const runtime = buildRuntime(config, store, { provider: ScriptedProvider.instant("ok") });
  const gw = createGateway({ runtime, store, config: new MemoryConfigSource(raw), auth: { mode: "token", token: new ApiKey(TOKEN) }, openclaw: { devicesPath: join(dir, "devices.json") } });
  const srv = serveGateway(gw, { hostname: "127.0.0.1", port: 0 });
  console.log(`PORT=${srv.port}`);
  process.on("SIGTERM", () => process.exit(0));
}

type Proto = "jsonrpc" | "openclaw";

/** One authenticated socket; `send(session, text, onFinal)` and nothing else. */
async function openSocket(port: number, proto: Proto): Promise<{ ws: WebSocket; send: (session: string, text: string, onFinal: () => void) => void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/${proto === "jsonrpc" ? "ws" : ""}`);
  const byRun = new Map<string, () => void>();
  const byReq = new Map<string, () => void>();
  let next = 1;
  const ready = new Promise<void>((resolve, reject) => {
    ws.onerror = () => reject(new Error("ws connect failed"));
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      if (proto === "jsonrpc") {
        if (m.id === 0) return resolve();
        if (m.id !== undefined) {
          const done = byReq.get(String(m.id));
          byReq.delete(String(m.id));
          if (done && m.result?.runId) byRun.set(m.result.runId, done);
        } else if (m.method === "chat.event" && m.params.event.type === "final") {
          byRun.get(m.params.runId)?.();
          byRun.delete(m.params.runId);
        }
      } else {
        if (m.type === "event" && m.event === "connect.challenge") {
          ws.send(JSON.stringify({ type: "req", id: "c", method: "connect", params: { minProtocol: 4, maxProtocol: 4, client: { id: "test", version: "1", platform: "linux", mode: "test" }, auth: { token: TOKEN } } }));
        } else if (m.type === "res" && m.id === "c") resolve();
        else if (m.type === "res") {
          const done = byReq.get(m.id);
          byReq.delete(m.id);
          if (done && m.payload?.runId) byRun.set(m.payload.runId, done);
        } else if (m.type === "event" && m.event === "chat" && m.payload.state === "final") {
          byRun.get(m.payload.runId)?.();
          byRun.delete(m.payload.runId);
        }
      }
    };
    ws.onopen = () => {
      if (proto === "jsonrpc") ws.send(JSON.stringify({ jsonrpc: "2.0", id: 0, method: "auth", params: { token: TOKEN } }));
    };
  });
  await ready;
  const send = (session: string, text: string, onFinal: () => void) => {
    const id = String(next++);
    byReq.set(id, onFinal);
    if (proto === "jsonrpc") ws.send(JSON.stringify({ jsonrpc: "2.0", id: Number(id), method: "chat.send", params: { sessionKey: session, text, idempotencyKey: `${session}-${id}` } }));
    else ws.send(JSON.stringify({ type: "req", id, method: "chat.send", params: { sessionKey: session, message: text, idempotencyKey: `${session}-${id}` } }));
  };
  return { ws, send };
}

async function phase(port: number, proto: Proto, o: { sessions: number; connections: number; messages: number; maxSeconds: number; tag: string }) {
  const sockets = await Promise.all(Array.from({ length: o.connections }, () => openSocket(port, proto)));
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + o.maxSeconds * 1000;
  let sent = 0;
  await new Promise<void>((resolve) => {
    let open = 0;
    const fire = (s: number) => {
      if (sent >= o.messages || performance.now() > deadline) {
        if (open === 0) resolve();
        return;
      }
      sent++;
      open++;
      const t0 = performance.now();
      sockets[s % o.connections]!.send(`agent:main:${o.tag}-${proto}-${s}`, "hi", () => {
        latencies.push(performance.now() - t0);
        open--;
        fire(s);
      });
    };
    for (let s = 0; s < o.sessions; s++) fire(s);
  });
  const seconds = (performance.now() - started) / 1000;
  for (const s of sockets) s.ws.close();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? NaN;
  return { proto, messages: latencies.length, seconds, p50: q(50), p99: q(99), rate: latencies.length / seconds };
}

async function main(): Promise<void> {
  const child = Bun.spawn([process.execPath, import.meta.path, "serve"], { stdout: "pipe", stderr: "inherit", stdin: "ignore" });
  let out = "";
  let port = 0;
  for await (const chunk of child.stdout) {
    out += new TextDecoder().decode(chunk);
    const m = /PORT=(\d+)/.exec(out);
    if (m) {
      port = Number(m[1]);
      break;
    }
  }
  if (!port) throw new Error(`the gateway did not start: ${out}`);
  const o = { sessions: 64, connections: 8, messages: Number(process.env.BENCH_MESSAGES ?? 3000), maxSeconds: Number(process.env.BENCH_MAX_SECONDS ?? 60) };
  try {
    await phase(port, "jsonrpc", { ...o, messages: 300, tag: "warm" });
    await phase(port, "openclaw", { ...o, messages: 300, tag: "warm" });
    const rows: Awaited<ReturnType<typeof phase>>[] = [];
    for (const [i, proto] of (["jsonrpc", "openclaw", "jsonrpc", "openclaw"] as const).entries()) rows.push(await phase(port, proto, { ...o, tag: `r${i}` }));
    console.log("protocol   messages  seconds  p50 ms  p99 ms  msg/s");
    for (const r of rows) console.log(`${r.proto.padEnd(10)} ${String(r.messages).padStart(8)} ${r.seconds.toFixed(2).padStart(8)} ${r.p50.toFixed(2).padStart(7)} ${r.p99.toFixed(2).padStart(7)} ${r.rate.toFixed(0).padStart(6)}`);
    const avg = (p: Proto, k: "rate" | "p50" | "p99") => rows.filter((r) => r.proto === p).reduce((a, r) => a + r[k], 0) / 2;
    console.log(`openclaw / jsonrpc: msg/s ${(avg("openclaw", "rate") / avg("jsonrpc", "rate")).toFixed(3)}, p50 ${(avg("openclaw", "p50") / avg("jsonrpc", "p50")).toFixed(3)}, p99 ${(avg("openclaw", "p99") / avg("jsonrpc", "p99")).toFixed(3)}`);
  } finally {
    child.kill("SIGTERM");
  }
}

if (process.argv[2] === "serve") await serve();
else await main();
