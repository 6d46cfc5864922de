/**
 * The load generator of the out-of-process benchmarks, run as its own process:
 *
 *   bun test/bench/oop/drive.ts --kind gateway|floor --url ws://127.0.0.1:P/ws [--token T]
 *       [--sessions 1000] [--connections 100] [--messages 100000] [--max-seconds 120] [--prefix s-]
 *
 * Closed loop: every session has one message outstanding; when its answer arrives the next one is
 * sent. `gateway` speaks our JSON-RPC (`chat.send` → the `chat.event` whose event is `final`);
 * `floor` sends `{id, s, text}` and waits for `{id}` (floor.ts). Latency is send → final (→ reply).
 * Prints one line `RESULT {messages, seconds, rate, p50, p99, max}` (times in ms) and exits 0; exits
 * 1 with the reason when a connection fails or an answer is an error.
 */
import { quantile } from "../measure.ts";

export interface DriveOptions {
  kind: "gateway" | "floor";
  url: string;
  token?: string;
  sessions: number;
  connections: number;
  messages: number;
  maxSeconds: number;
  prefix: string;
  text: string;
}

export interface DriveResult {
  messages: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
}

function openSockets(o: DriveOptions): Promise<WebSocket[]> {
  const headers = o.kind === "gateway" && o.token ? { authorization: `Bearer ${o.token}` } : {};
  return Promise.all(
    Array.from({ length: o.connections }, () => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(o.url, { headers } as unknown as string[]);
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error(`cannot connect to ${o.url}`));
    })),
  );
}

export async function drive(o: DriveOptions): Promise<DriveResult> {
  const sockets = await openSockets(o);
  const latencies = new Float64Array(o.messages);
  const sentAt = new Float64Array(o.sessions);
  let sent = 0;
  let done = 0;
  let failure: Error | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const deadline = setTimeout(() => finish(), o.maxSeconds * 1000);
  let id = 0;
  const keys = Array.from({ length: o.sessions }, (_, s) => `${o.prefix}${s}`);
  const send = (s: number) => {
    if (sent >= o.messages) return;
    sent++;
    sentAt[s] = performance.now();
    const ws = sockets[s % sockets.length]!;
    if (o.kind === "floor") ws.send(`{"id":${s},"s":"${keys[s]}","text":${JSON.stringify(o.text)}}`);
    else ws.send(`{"jsonrpc":"2.0","method":"chat.send","params":{"sessionKey":"${keys[s]}","text":${JSON.stringify(o.text)}},"id":${++id}}`);
  };
  const complete = (s: number) => {
    latencies[done++] = performance.now() - sentAt[s]!;
    if (done >= o.messages) finish();
    else send(s);
  };
  const prefixLen = o.prefix.length;
  for (const ws of sockets) {
    ws.onclose = () => {
      if (done < o.messages && !failure) (failure = new Error("the server closed a connection")), finish();
    };
    ws.onmessage = (e) => {
      const text = String(e.data);
      if (o.kind === "floor") return complete((JSON.parse(text) as { id: number }).id);
      if (text.includes('"error"') && text.includes('"id"') && !text.includes('"chat.event"')) {
        failure = new Error(`the gateway answered an error: ${text.slice(0, 300)}`);
        return finish();
      }
      if (!text.includes('"final"')) return; // responses and deltas: only the final event ends a message
      const m = JSON.parse(text) as { method?: string; params?: { sessionKey: string; event: { type: string } } };
      if (m.method === "chat.event" && m.params!.event.type === "final") complete(Number(m.params!.sessionKey.slice(prefixLen)));
    };
  }
  const t0 = performance.now();
  for (let s = 0; s < o.sessions; s++) send(s);
  await finished;
  clearTimeout(deadline);
  return endDrive(sockets, failure, latencies, done, (performance.now() - t0) / 1000);
}

/** Closes the load's sockets, throws the drive's failure if any, else its figures. */
export function endDrive(sockets: WebSocket[], failure: Error | null | undefined, latencies: Float64Array, done: number, seconds: number): DriveResult {
  for (const ws of sockets) {
    ws.onclose = null;
    ws.close();
  }
  if (failure) throw failure;
  const sorted = Array.from(latencies.subarray(0, done)).sort((a, b) => a - b);
  return { messages: done, seconds, rate: done / seconds, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1] ?? NaN };
}

/** The value after `--name` (not another flag), or `fallback`. */
export function arg(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--") ? argv[i + 1]! : fallback;
}

export function parseArgs(argv: string[]): DriveOptions {
  const num = (name: string, d: number) => {
    const v = Number(arg(argv, name, String(d)));
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number (got ${arg(argv, name, "")})`);
    return v;
  };
  const kind = arg(argv, "kind", "gateway");
  if (kind !== "gateway" && kind !== "floor") throw new Error(`--kind must be gateway or floor (got ${kind})`);
  const url = arg(argv, "url", "");
  if (!url.startsWith("ws://127.0.0.1:")) throw new Error("--url must be ws://127.0.0.1:<port>/ws (loopback only)");
  const sessions = num("sessions", 1000);
  return {
    kind,
    url,
    token: arg(argv, "token", "") || undefined,
    sessions,
    connections: Math.min(sessions, num("connections", Math.min(100, sessions))),
    messages: num("messages", 100_000),
    maxSeconds: num("max-seconds", 120),
    prefix: arg(argv, "prefix", "s-"),
    text: arg(argv, "text", "hello"),
  };
}

/** Runs drive.ts as a child process and returns its RESULT. */
export async function driveInChild(o: Partial<DriveOptions> & { kind: DriveOptions["kind"]; url: string }): Promise<DriveResult> {
  const args = Object.entries(o).flatMap(([k, v]) => (v === undefined ? [] : [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(v)]));
  const proc = Bun.spawn([process.execPath, import.meta.path, ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const line = /^RESULT (.+)$/m.exec(out);
  if (code !== 0 || !line) throw new Error(`drive.ts failed (exit ${code}): ${err.trim() || out.trim()}`);
  return JSON.parse(line[1]!) as DriveResult;
}

if ((import.meta as ImportMeta & { main?: boolean }).main) {
  try {
    const r = await drive(parseArgs(process.argv.slice(2)));
    console.log(`RESULT ${JSON.stringify(r)}`);
    process.exit(0);
  } catch (err) {
    console.error(`drive: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
