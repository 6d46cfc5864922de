/**
 * The load generator of the cluster benchmark, its own process, like drive.ts but over several
 * gateway nodes (as a load balancer would spread connections):
 *
 *   bun test/bench/oop/drive-cluster.ts --urls ws://127.0.0.1:P1/ws,ws://127.0.0.1:P2/ws --token T
 *       [--sessions 200] [--connections 30] [--messages 5000] [--max-seconds 120] [--prefix s-] [--hop]
 *
 * Connections go round-robin over the nodes. Closed loop: every session has one message outstanding.
 * A session sticks to one connection (its node), or with `--hop` each next message of a session goes
 * through the next connection, so consecutive turns of one session run on different nodes (the session
 * lease moves at every message, and the connections that sent earlier turns, subscribed on other nodes,
 * get the events through the fan-out). Latency is send → the `final` chat.event on the sending
 * connection (a final another connection gets through the fan-out does not count).
 * Prints `RESULT {messages, seconds, rate, p50, p99, max}` (ms) and exits 0; exits 1 with the reason.
 */
import { arg, endDrive, type DriveResult } from "./drive.ts";

export interface ClusterDriveOptions {
  urls: string[];
  token: string;
  sessions: number;
  connections: number;
  messages: number;
  maxSeconds: number;
  prefix: string;
  hop: boolean;
}

function open(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } } as unknown as string[]);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
  });
}

export async function driveCluster(o: ClusterDriveOptions): Promise<DriveResult> {
  const sockets = await Promise.all(Array.from({ length: o.connections }, (_, i) => open(o.urls[i % o.urls.length]!, o.token)));
  const latencies = new Float64Array(o.messages);
  const sentAt = new Float64Array(o.sessions);
  const turn = new Uint32Array(o.sessions);
  /** the connection each session's outstanding message went through */
  const via = new Int32Array(o.sessions);
  /** the runId of each session's outstanding message (from the chat.send answer) and which call id asked */
  const runOf: string[] = Array.from({ length: o.sessions }, () => "");
  const callOf = new Map<number, number>();
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
    // sticky: session s on connection s; hop: the next connection at every turn
    const c = (s + (o.hop ? turn[s]! : 0)) % sockets.length;
    via[s] = c;
    turn[s]!++;
    const ws = sockets[c]!;
    runOf[s] = "";
    callOf.set(++id, s);
    ws.send(`{"jsonrpc":"2.0","method":"chat.send","params":{"sessionKey":"${keys[s]}","text":"hello"},"id":${id}}`);
  };
  const prefixLen = o.prefix.length;
  const complete = (s: number) => {
    latencies[done++] = performance.now() - sentAt[s]!;
    if (done >= o.messages) finish();
    else send(s);
  };
  sockets.forEach((ws, c) => {
    ws.onclose = () => {
      if (done < o.messages && !failure) (failure = new Error("a node closed a connection")), finish();
    };
    ws.onmessage = (e) => {
      const text = String(e.data);
      if (text.includes('"error"') && text.includes('"id"') && !text.includes('"chat.event"')) {
        failure = new Error(`a node answered an error: ${text.slice(0, 300)}`);
        return finish();
      }
      if (!text.includes('"chat.event"') && text.includes('"runId"')) {
        const r = JSON.parse(text) as { id: number; result: { runId: string } };
        const s = callOf.get(r.id);
        callOf.delete(r.id);
        if (s !== undefined) runOf[s] = r.result.runId;
        return;
      }
      if (!text.includes('"final"')) return;
      const m = JSON.parse(text) as { method?: string; params?: { sessionKey: string; runId: string; event: { type: string; outcome?: string } } };
      if (m.method !== "chat.event" || m.params!.event.type !== "final") return;
      if (m.params!.event.outcome !== "ok") {
        failure = new Error(`a run ended ${m.params!.event.outcome}: ${text.slice(0, 300)}`);
        return finish();
      }
      // only the sender's own copy of the outstanding run's final (the answer precedes it on that socket)
      const s = Number(m.params!.sessionKey.slice(prefixLen));
      if (via[s] === c && runOf[s] === m.params!.runId) {
        runOf[s] = "";
        complete(s);
      }
    };
  });
  const t0 = performance.now();
  for (let s = 0; s < o.sessions; s++) send(s);
  await finished;
  clearTimeout(deadline);
  return endDrive(sockets, failure, latencies, done, (performance.now() - t0) / 1000);
}


export function parseClusterArgs(argv: string[]): ClusterDriveOptions {
  const num = (name: string, d: number) => {
    const v = Number(arg(argv, name, String(d)));
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number (got ${arg(argv, name, "")})`);
    return v;
  };
  const urls = arg(argv, "urls", "").split(",").filter(Boolean);
  if (urls.length === 0 || urls.some((u) => !u.startsWith("ws://127.0.0.1:"))) throw new Error("--urls must be ws://127.0.0.1:<port>/ws,… (loopback only)");
  const token = arg(argv, "token", "");
  if (!token) throw new Error("--token is required");
  const sessions = num("sessions", 200);
  return {
    urls,
    token,
    sessions,
    connections: Math.max(urls.length, Math.min(sessions, num("connections", 30))),
    messages: num("messages", 5000),
    maxSeconds: num("max-seconds", 120),
    prefix: arg(argv, "prefix", "s-"),
    hop: argv.includes("--hop"),
  };
}

/** Runs this file as a child process; its RESULT. */
export async function driveClusterInChild(o: Omit<ClusterDriveOptions, "hop"> & { hop?: boolean }): Promise<DriveResult> {
  const args = ["--urls", o.urls.join(","), "--token", o.token, "--sessions", String(o.sessions), "--connections", String(o.connections), "--messages", String(o.messages), "--max-seconds", String(o.maxSeconds), "--prefix", o.prefix, ...(o.hop ? ["--hop"] : [])];
  const proc = Bun.spawn([process.execPath, import.meta.path, ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const line = /^RESULT (.+)$/m.exec(out);
  if (code !== 0 || !line) throw new Error(`drive-cluster.ts failed (exit ${code}): ${err.trim() || out.trim()}`);
  return JSON.parse(line[1]!) as DriveResult;
}

if ((import.meta as ImportMeta & { main?: boolean }).main) {
  try {
    const r = await driveCluster(parseClusterArgs(process.argv.slice(2)));
    console.log(`RESULT ${JSON.stringify(r)}`);
    process.exit(0);
  } catch (err) {
    console.error(`drive-cluster: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
