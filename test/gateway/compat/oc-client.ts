// A minimal OpenClaw-frames client over a real WebSocket (127.0.0.1 only), for the compat tests.
export class OcClient {
  readonly frames: any[] = [];
  closed: { code: number; reason: string } | null = null;
  readonly #waiters = new Set<() => void>();
  #id = 1;
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.addEventListener("open", () => resolve(), { once: true });
      this.ws.addEventListener("error", () => reject(new Error("websocket error")), { once: true });
    });
    this.ws.addEventListener("message", (e) => {
      this.frames.push(JSON.parse(String(e.data)));
      this.#wake();
    });
    this.ws.addEventListener("close", (e) => {
      this.closed = { code: e.code, reason: e.reason };
      this.#wake();
    });
  }

  #wake(): void {
    for (const w of this.#waiters) w();
  }

  /** Wait until `pred` finds a frame (or holds); throws naming `what` after `timeoutMs`. */
  async until<T>(pred: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = pred();
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.min(left, 100));
        const waiters = this.#waiters;
        function done() {
          clearTimeout(t);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  async challenge(): Promise<any> {
    const frame = await this.until(() => this.frames.find((f) => f.type === "event" && f.event === "connect.challenge"), "connect.challenge");
    return frame.payload;
  }

  request(method: string, params?: unknown): Promise<any> {
    const id = `r${this.#id++}`;
    this.ws.send(JSON.stringify({ type: "req", id, method, ...(params === undefined ? {} : { params }) }));
    return this.until(() => this.frames.find((f) => f.type === "res" && f.id === id) || (this.closed ? { closed: this.closed } : undefined), `the answer to ${method}`);
  }

  connect(auth: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): Promise<any> {
    return this.request("connect", {
      minProtocol: 3,
      maxProtocol: 4,
      client: { id: "test", version: "1.0.0", platform: "linux", mode: "test" },
      role: "operator",
      ...(auth ? { auth } : {}),
      ...extra,
    });
  }

  events(name: string, runId?: string): any[] {
    return this.frames.filter((f) => f.type === "event" && f.event === name && (runId === undefined || f.payload?.runId === runId)).map((f) => f.payload);
  }

  closedWith(): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed ?? undefined, "the socket to close");
  }

  close(): void {
    this.ws.close();
  }
}

export async function ocConnect(url: string): Promise<OcClient> {
  const c = new OcClient(url);
  await c.opened;
  await c.challenge();
  return c;
}
