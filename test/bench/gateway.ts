/**
 * Gateway benchmark (prints figures; not a pass/fail test). Run: `bun test/bench/gateway.ts`.
 *
 * Two servers, each in its own child process so the load generator (this process) does not share
 * their event loop, both on 127.0.0.1:0:
 *   floor    bare Bun.serve WebSocket JSON echo, one durable SQLite commit per message
 *            (WAL, synchronous=FULL, autocommit INSERT), then the reply
 *   gateway  the real stack: Bun.serve + Hono + JSON-RPC dispatch + AgentRuntime (buildRuntime,
 *            the instant scripted provider) + SqliteStore (WAL, synchronous=FULL, group commit);
 *            a message is `chat.send` → `{runId}` → `chat.event … final`
 * Closed loop: every session has one message outstanding; latency is send → final (floor: → reply).
 * Then RSS of the gateway at start, after 50,000 and after 100,000 messages over 10,000 sessions.
 * Every phase is bounded in count and time. `BENCH_ONLY=memory` runs only the memory phase;
 * `BENCH_ONLY=throughput` only the throughput phases. `BENCH_CPU_PROF=<dir>` profiles the gateway
 * process (`bun --cpu-prof`); `bun test/bench/cpuprofile.ts <file>` summarises the profile.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TOKEN = "bench-token-" + "b".repeat(32);
const role = process.argv[2];

// ---------------------------------------------------------------- servers (child processes)

async function serveFloor(): Promise<void> {
  const { Database } = await import("bun:sqlite");
  const db = new Database(join(mkdtempSync(join(tmpdir(), "bench-floor-")), "floor.db"));
  db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE events(id INTEGER PRIMARY KEY, session TEXT, data TEXT)");
  const insert = db.prepare("INSERT INTO events(session, data) VALUES (?, ?)");
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req, srv) => (srv.upgrade(req, { data: undefined }) ? undefined : new Response("ws only", { status: 400 })),
    websocket: {
      message(ws, m) {
        const msg = JSON.parse(String(m)) as { id: number; s: string; text: string };
        insert.run(msg.s, String(m)); // autocommit: one durable commit per message
        ws.send(JSON.stringify({ id: msg.id, ok: true }));
      },
    },
  });
  console.log(`PORT=${server.port}`);
}

async function serveGateway(): Promise<void> {
  const { ConfigSchema } = await import("../../src/config/schema.ts");
  const { configureLogging } = await import("../../src/core/log.ts");
  const { ApiKey } = await import("../../src/core/secrets.ts");
  const { openStore } = await import("../../src/store/sqlite.ts");
  const { buildRuntime } = await import("../../src/agent/build-runtime.ts");
  const { createGateway } = await import("../../src/gateway/gateway.ts");
  const { MemoryConfigSource } = await import("../../src/gateway/config-source.ts");
  const { serveGateway: serve } = await import("../../src/gateway/server.ts");
  const { ScriptedProvider } = await import("../fakes/scripted-provider.ts");
  configureLogging({ level: "error" });
  const raw = {
    agents: { defaults: { sandbox: { level: "off" }, maxConcurrent: Number(process.env.BENCH_MAX_CONCURRENT ?? 64) } },
    gateway: { limits: { maxConnections: 4096 } },
    logging: { level: "error" },
  };
  const config = ConfigSchema.parse(raw);
  const store = await openStore(join(mkdtempSync(join(tmpdir(), "bench-gw-")), "openclaw.db"));
  const runtime = buildRuntime(config, store, { provider: ScriptedProvider.instant("ok") });
  const gw = createGateway({ runtime, store, config: new MemoryConfigSource(raw), auth: { mode: "token", token: new ApiKey(TOKEN) } });
  const srv = serve(gw, { hostname: "127.0.0.1", port: 0 });
  console.log(`PORT=${srv.port}`);
  process.on("SIGTERM", () => process.exit(0)); // lets `bun --cpu-prof` write its profile
  await reportMemoryOnRequest();
}

/**
 * Bench-only memory probe of a child server: each "mem" line on stdin answers one `MEM {…}` line:
 * RSS before and after a full GC (`Bun.gc(true)`), and the JS heap after it (bun:jsc heapStats).
 */
async function reportMemoryOnRequest(): Promise<void> {
  const { heapStats } = await import("bun:jsc");
  const dec = new TextDecoder();
  let buf = "";
  for await (const chunk of Bun.stdin.stream()) {
    buf += dec.decode(chunk);
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      const cmd = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (cmd !== "mem") continue;
      const rss = process.memoryUsage().rss;
      Bun.gc(true);
      const h = heapStats();
      console.log(`MEM ${JSON.stringify({ rss, rssAfterGc: process.memoryUsage().rss, heapSize: h.heapSize, heapCapacity: h.heapCapacity, objects: h.objectCount })}`);
    }
  }
}

// ---------------------------------------------------------------- load generator

interface Result {
  messages: number;
  seconds: number;
  p50: number;
  p99: number;
  /** server process CPU (user+sys) per message, ms */
  cpuMs?: number;
}

/** user+sys CPU time of a process in ms, from /proc (Linux; NaN elsewhere). */
function cpuTimeMs(pid: number): number {
  try {
    const stat = require("node:fs").readFileSync(`/proc/${pid}/stat`, "utf8") as string;
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

async function openSockets(url: string, n: number, headers: Record<string, string>): Promise<WebSocket[]> {
  const out: WebSocket[] = [];
  for (let i = 0; i < n; i += 50) {
    out.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, n - i) }, () => new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url, { headers } as any);
          ws.onopen = () => resolve(ws);
          ws.onerror = () => reject(new Error("ws connect failed"));
        })),
      )),
    );
  }
  return out;
}

/**
 * Closed-loop driver: `sessions` sessions spread over `connections` sockets, each session with one
 * message in flight until `messages` were answered (or `maxSeconds` passed).
 */
async function drive(kind: "floor" | "gateway", port: number, o: { sessions: number; connections: number; messages: number; maxSeconds: number; sessionPrefix: string; pid?: number; onProgress?: (done: number) => void }): Promise<Result> {
  const sockets = await openSockets(`ws://127.0.0.1:${port}/ws`, o.connections, kind === "gateway" ? { authorization: `Bearer ${TOKEN}` } : {});
  const latencies: number[] = [];
  const sentAt = new Float64Array(o.sessions);
  let sent = 0;
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const deadline = setTimeout(() => finish(), o.maxSeconds * 1000);
  let id = 0;
  const send = (s: number) => {
    if (sent >= o.messages) return;
    sent++;
    sentAt[s] = performance.now();
    const ws = sockets[s % sockets.length]!;
    if (kind === "floor") ws.send(JSON.stringify({ id: s, s: `${o.sessionPrefix}${s}`, text: "hello" }));
    else ws.send(JSON.stringify({ jsonrpc: "2.0", method: "chat.send", params: { sessionKey: `${o.sessionPrefix}${s}`, text: "hello" }, id: ++id }));
  };
  const complete = (s: number) => {
    latencies.push(performance.now() - sentAt[s]!);
    done++;
    if (o.onProgress && done % 10_000 === 0) o.onProgress(done);
    if (done >= o.messages) finish();
    else send(s);
  };
  const prefixLen = o.sessionPrefix.length;
  for (const ws of sockets) {
    ws.onmessage = (e) => {
      const text = String(e.data);
      if (kind === "floor") return complete((JSON.parse(text) as { id: number }).id);
      if (!text.includes('"final"')) return; // responses and deltas: only the final event ends a message
      const m = JSON.parse(text) as { method?: string; params?: { sessionKey: string; event: { type: string } } };
      if (m.method === "chat.event" && m.params!.event.type === "final") complete(Number(m.params!.sessionKey.slice(prefixLen)));
    };
  }
  const t0 = performance.now();
  const cpu0 = o.pid ? cpuTimeMs(o.pid) : NaN;
  for (let s = 0; s < o.sessions; s++) send(s);
  await finished;
  clearTimeout(deadline);
  const seconds = (performance.now() - t0) / 1000;
  const cpuMs = o.pid ? (cpuTimeMs(o.pid) - cpu0) / Math.max(1, done) : NaN;
  for (const ws of sockets) ws.close();
  latencies.sort((a, b) => a - b);
  return { messages: done, seconds, p50: pct(latencies, 50), p99: pct(latencies, 99), cpuMs };
}

interface Child {
  proc: Bun.Subprocess<"pipe", "pipe", "inherit">;
  port: number;
  /** the next line the child prints that starts with `prefix` */
  nextLine(prefix: string): Promise<string>;
}

async function startChild(which: string): Promise<Child> {
  // BENCH_CPU_PROF=<dir>: the gateway child writes a .cpuprofile there (summarise: bun test/bench/cpuprofile.ts <file>)
  const prof = which === "--serve-gateway" && process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const proc = Bun.spawn([process.execPath, ...prof, import.meta.path, which], { stdout: "pipe", stderr: "inherit", stdin: "pipe", env: { ...process.env } });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  let out = "";
  const nextLine = async (prefix: string): Promise<string> => {
    for (;;) {
      const lines = out.split("\n");
      for (let i = 0; i < lines.length - 1; i++) {
        if (lines[i]!.startsWith(prefix)) {
          out = lines.slice(i + 1).join("\n");
          return lines[i]!.slice(prefix.length);
        }
      }
      const { value, done } = await reader.read();
      if (done) throw new Error(`${which} ended before printing ${prefix}: ${out}`);
      out += dec.decode(value);
    }
  };
  const port = Number(await nextLine("PORT="));
  return { proc, port, nextLine };
}

interface Mem {
  rss: number;
  rssAfterGc: number;
  heapSize: number;
  heapCapacity: number;
}

/** RSS before and after a full GC, and the JS heap after it, of a child server. */
async function memOf(child: Child): Promise<Mem> {
  child.proc.stdin.write("mem\n");
  child.proc.stdin.flush();
  return JSON.parse(await child.nextLine("MEM ")) as Mem;
}

const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
const fmt = (r: Result) => `p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  ${Math.round(r.messages / r.seconds).toLocaleString("en-US")} msg/s  cpu ${r.cpuMs?.toFixed(2)} ms/msg  (${r.messages.toLocaleString("en-US")} msgs, ${r.seconds.toFixed(1)} s)`;

async function main(): Promise<void> {
  console.log(`gateway bench — bun ${Bun.version}, ${navigator.hardwareConcurrency} cpus, ${process.platform}/${process.arch}`);
  const phases = [
    { name: "1 session", sessions: 1, connections: 1, messages: 2_000, warm: 200 },
    { name: "100 sessions", sessions: 100, connections: 20, messages: 10_000, warm: 1_000 },
    { name: "1,000 sessions", sessions: 1_000, connections: 50, messages: 20_000, warm: 2_000 },
  ].filter(() => process.env.BENCH_ONLY !== "memory"); // BENCH_ONLY=memory: just the memory phase
  const floor = await startChild("--serve-floor");
  const gwc = await startChild("--serve-gateway");
  const rows: string[] = [];
  try {
    for (const ph of phases) {
      const opts = { sessions: ph.sessions, connections: ph.connections, maxSeconds: 45 };
      await drive("floor", floor.port, { ...opts, messages: ph.warm, sessionPrefix: `w${ph.sessions}:` });
      const f = await drive("floor", floor.port, { ...opts, messages: ph.messages, sessionPrefix: `f${ph.sessions}:`, pid: floor.proc.pid });
      await drive("gateway", gwc.port, { ...opts, messages: ph.warm, sessionPrefix: `agent:main:w${ph.sessions}-` });
      const g = await drive("gateway", gwc.port, { ...opts, messages: ph.messages, sessionPrefix: `agent:main:b${ph.sessions}-`, pid: gwc.proc.pid });
      const ratio = (g.messages / g.seconds) / (f.messages / f.seconds);
      rows.push(`${ph.name.padEnd(15)} floor    ${fmt(f)}`, `${"".padEnd(15)} gateway  ${fmt(g)}`, `${"".padEnd(15)} gateway/floor throughput ${ratio.toFixed(2)}×, p50 ${(g.p50 / f.p50).toFixed(2)}×`);
      console.log(rows.slice(-3).join("\n"));
    }
  } finally {
    floor.proc.kill();
  }
  if (process.env.BENCH_ONLY === "throughput") return void gwc.proc.kill();
  // Memory: 100,000 messages over 10,000 sessions (each session gets 10) in two halves of 50,000
  // (5 per session). Sampled at start and after each half, once the half's messages are all answered
  // (so no sample counts 10,000 runs in flight): RSS as found, then RSS and JS heap after a full GC.
  const samples: [string, Mem][] = [["start", await memOf(gwc)]];
  const halves: Result[] = [];
  for (const n of [50_000, 100_000]) {
    halves.push(await drive("gateway", gwc.port, { sessions: 10_000, connections: 100, messages: 50_000, maxSeconds: 120, sessionPrefix: "agent:main:m-", pid: gwc.proc.pid }));
    samples.push([`after ${n.toLocaleString("en-US")}`, await memOf(gwc)]);
  }
  for (const [i, r] of halves.entries()) console.log(`10,000 sessions gateway  ${fmt(r)}  [messages ${i * 50}k–${(i + 1) * 50}k]`);
  const col = (f: (m: Mem) => number) => samples.map(([l, m]) => `${l} ${mb(f(m))}`).join(", ");
  const pct = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(1)}%`;
  const growth = (f: (m: Mem) => number) => samples.length === 3 ? `  (${pct((f(samples[2]![1]) / f(samples[1]![1]) - 1) * 100)} between the last two)` : "";
  console.log(`RSS (gateway process):          ${col((m) => m.rss)}${growth((m) => m.rss)}`);
  console.log(`RSS after full GC:              ${col((m) => m.rssAfterGc)}${growth((m) => m.rssAfterGc)}`);
  console.log(`JS heap after full GC (live):   ${col((m) => m.heapSize)}${growth((m) => m.heapSize)}`);
  console.log(`JS heap capacity after full GC: ${col((m) => m.heapCapacity)}`);
  gwc.proc.kill();
}

if (role === "--serve-floor") await serveFloor();
else if (role === "--serve-gateway") await serveGateway();
else await main();
