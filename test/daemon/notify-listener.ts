// A unix datagram socket the test listens on, as systemd's NOTIFY_SOCKET would be: python3 binds
// it (a path, or `@name` in the abstract namespace) and prints every datagram as one JSON line.
// `next()` waits for the next datagram and fails loudly after its timeout.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SCRIPT = `
import json, socket, sys
p = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(("\\0" + p[1:]) if p.startswith("@") else p)
print("BOUND", flush=True)
while True:
    print(json.dumps(s.recv(65536).decode()), flush=True)
`;

export interface NotifyListener {
  socket: string;
  next(timeoutMs?: number): Promise<string>;
  close(): void;
}

export async function listenNotify(opts: { abstract?: boolean } = {}): Promise<NotifyListener> {
  const socket = opts.abstract ? `@openclaw-test-${process.pid}-${Math.random().toString(36).slice(2)}` : join(mkdtempSync(join(tmpdir(), "notify-")), "notify.sock");
  const proc = Bun.spawn(["python3", "-c", SCRIPT, socket], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let ended = false;
  void (async () => {
    const dec = new TextDecoder();
    let buf = "";
    for await (const chunk of proc.stdout) {
      buf += dec.decode(chunk, { stream: true });
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
        waiters.splice(0).forEach((w) => w());
      }
    }
    ended = true;
    waiters.splice(0).forEach((w) => w());
  })();
  const take = async (timeoutMs: number): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (lines.length === 0) {
      if (ended) throw new Error(`the notify listener exited: ${await new Response(proc.stderr).text()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no datagram on ${socket} within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        waiters.push(() => (clearTimeout(t), r()));
      });
    }
    return lines.shift()!;
  };
  const bound = await take(15_000);
  if (bound !== "BOUND") throw new Error(`notify listener did not bind: ${bound}`);
  return {
    socket,
    next: async (timeoutMs = 15_000) => JSON.parse(await take(timeoutMs)) as string,
    close: () => proc.kill(),
  };
}

/** `KEY=value` lines of one notify datagram as a record. */
export function parseState(datagram: string): Record<string, string> {
  return Object.fromEntries(datagram.split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}
