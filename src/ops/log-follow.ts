/**
 * `logs --follow`: the running gateway's live tail (WebSocket `/ws`, `logs.tail` with follow, then
 * `logs.record` notifications), or, when no gateway answers, the log file itself, polled: new
 * lines are read from the open descriptor, and a rotation (the path now names another file) or a
 * truncation is noticed, the old file read to its end, and the new one followed from its start.
 * Both stop when `signal` aborts; the gateway tail also ends when the gateway closes the socket.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { UnauthorizedError, UnavailableError } from "../core/errors.ts";
import type { LogRecord } from "../core/log.ts";
import { fromWire, type GatewayTarget } from "./gateway-client.ts";
import { parseRecord } from "./log-read.ts";

export interface FollowFileOptions {
  signal: AbortSignal;
  /** between polls, default 250 ms; tests inject a shorter one */
  pollMs?: number;
  /** the byte offset to start at: `readLogTail`'s `size` (default: the end of the file) */
  from?: number;
}

export async function followLogFile(path: string, onRecord: (r: LogRecord) => void, opts: FollowFileOptions): Promise<void> {
  let fd: number | null = null;
  let ino = -1;
  let pos = 0;
  let partial = "";
  const openAt = (start: number | "end"): void => {
    try {
      fd = openSync(path, "r");
    } catch {
      fd = null; // not there (yet): the next poll tries again
      return;
    }
    const st = fstatSync(fd);
    ino = st.ino;
    pos = start === "end" || start > st.size ? st.size : start;
    partial = "";
  };
  const drain = (): void => {
    if (fd === null) return;
    const size = fstatSync(fd).size;
    if (size < pos) pos = 0; // truncated in place
    while (pos < size) {
      const buf = Buffer.alloc(Math.min(64 * 1024, size - pos));
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) break;
      pos += n;
      const text = partial + buf.subarray(0, n).toString("utf8");
      const lines = text.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        const r = parseRecord(line);
        if (r) onRecord(r);
      }
    }
  };
  const rotated = (): boolean => {
    try {
      return statSync(path).ino !== ino;
    } catch {
      return false; // between rename and re-create: keep reading the old one
    }
  };

  openAt(opts.from ?? "end");
  try {
    while (!opts.signal.aborted) {
      if (fd === null) openAt(0);
      // look for a rotation before reading: once the path names a new file, the old one is complete,
      // so reading it to its end and then switching loses nothing whatever the interleaving
      const moved = fd !== null && rotated();
      drain();
      if (moved) {
        closeSync(fd!);
        openAt(0);
        drain();
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.pollMs ?? 250);
        opts.signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Streams the gateway's recent records (`lines` of them) and then its live ones. Resolves with why
 * it ended: "aborted" (the signal) or "closed" (the gateway went away). Rejects when the gateway
 * refuses the connection or the `logs.tail` call.
 */
export function followGateway(target: GatewayTarget, lines: number, onRecord: (r: LogRecord) => void, signal: AbortSignal): Promise<"aborted" | "closed"> {
  return new Promise((resolve, reject) => {
    // Bun's WebSocket takes headers: the token goes in Authorization, never in the URL
    const ws = new WebSocket(target.wsUrl, { headers: target.headers } as unknown as string[]);
    let settled = false;
    const finish = (how: "aborted" | "closed" | Error) => {
      if (settled) return;
      settled = true;
      if (how instanceof Error) reject(how);
      else resolve(how);
      try {
        ws.close();
      } catch {
        // already closed
      }
    };
    signal.addEventListener("abort", () => finish("aborted"), { once: true });
    ws.onopen = () => ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "logs.tail", params: { lines, follow: true } }));
    ws.onmessage = (ev) => {
      let msg: { id?: unknown; method?: string; params?: unknown; result?: { records?: LogRecord[] }; error?: { code?: number; message?: string; data?: { type?: string } } };
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (msg.id === 1 && msg.error) return finish(fromWire(msg.error));
      if (msg.id === 1) for (const r of msg.result?.records ?? []) onRecord(r);
      else if (msg.method === "logs.record" && msg.params) onRecord(msg.params as LogRecord);
    };
    ws.onerror = () => finish(new UnavailableError(`cannot open the gateway's WebSocket ${target.wsUrl} (stopping, or at its connection limit?); openclaw logs without --follow reads the file`));
    ws.onclose = (ev) => finish(ev.code === 1008 ? new UnauthorizedError(`the gateway closed the log stream: ${ev.reason || "unauthorized"}`) : "closed");
  });
}
