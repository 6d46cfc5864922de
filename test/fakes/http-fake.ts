/**
 * Plumbing shared by the fake model APIs (anthropic.ts, openai.ts): a node:http server on
 * 127.0.0.1 (node:http so the fakes also run under Node), request recording, a reply queue with an
 * optional fallback, SSE playback that can complete, cut the connection, or hold it open until the
 * client goes away, and a small control API (`/_fake/*`) for driving a fake in another process.
 * `startScriptedFake` and `serveFromCli` put these together the way both model fakes use them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  /** lower-cased names */
  headers: Record<string, string>;
  // biome-ignore lint: request bodies are arbitrary JSON
  body: any;
}

export interface SseFrame {
  event?: string;
  data: string;
}

/** How a streamed reply ends: all frames, or the first `at` frames and then drop / hold the connection. */
export type SseEnding = { mode: "complete" } | { mode: "cut"; at: number } | { mode: "hold"; at: number };

export interface QueueOptions<R> {
  /** reply used when the queue is empty; without one the fake answers 400 "no reply queued" */
  fallback?: R | ((req: RecordedRequest) => R);
}

/** A reply, or a function of the request that makes one. */
export type Scripted<R> = R | ((req: RecordedRequest) => R);

export class ReplyQueue<R> {
  readonly #items: Array<Scripted<R>> = [];
  fallback: Scripted<R> | undefined;
  constructor(fallback?: Scripted<R>) {
    this.fallback = fallback;
  }
  push(...items: Array<Scripted<R>>): void {
    this.#items.push(...items);
  }
  get length(): number {
    return this.#items.length;
  }
  clear(): void {
    this.#items.length = 0;
  }
  next(req: RecordedRequest): R | undefined {
    const item = this.#items.shift() ?? this.fallback;
    if (item === undefined) return undefined;
    return typeof item === "function" ? (item as (r: RecordedRequest) => R)(req) : item;
  }
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function frameText(f: SseFrame): string {
  return `${f.event ? `event: ${f.event}\n` : ""}data: ${f.data}\n\n`;
}

/** Writes SSE frames; `cut` destroys the socket mid-stream, `hold` waits until the client disconnects. */
export async function playSse(req: IncomingMessage, res: ServerResponse, frames: SseFrame[], ending: SseEnding, delayMs = 0): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const upto = ending.mode === "complete" ? frames.length : Math.min(ending.at, frames.length);
  for (let i = 0; i < upto; i++) {
    if (res.destroyed) return;
    res.write(frameText(frames[i]!));
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  }
  if (ending.mode === "complete") return void res.end();
  if (ending.mode === "cut") {
    // let the written frames reach the client, then drop the connection without a proper end
    await new Promise((r) => setTimeout(r, 5));
    req.socket.destroy();
    return;
  }
  await new Promise<void>((resolve) => {
    if (res.destroyed || req.socket.destroyed) return resolve();
    res.once("close", () => resolve());
  });
}

/**
 * The last user text in a chat request (what the echo fallbacks answer): string content, or the
 * text parts of array content; a user message without text (e.g. only tool results) is skipped.
 */
export function lastUserText(req: RecordedRequest): string {
  const messages: Array<{ role: string; content: unknown }> = req.body?.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== "user") continue;
    if (typeof m.content === "string") return m.content;
    if (!Array.isArray(m.content)) continue;
    const texts = (m.content as Array<{ type: string; text?: string }>).filter((b) => b.type === "text").map((b) => b.text ?? "");
    if (texts.length > 0) return texts.join("");
  }
  return "";
}

/** `s` in pieces of about `size` characters, at least `min` of them (padded with ""), as a model streams it. */
export function splitText(s: string, size: number, min = 1): string[] {
  const n = Math.max(min, Math.ceil(s.length / size));
  const step = Math.max(1, Math.ceil(s.length / n));
  const out: string[] = [];
  for (let i = 0; i < s.length; i += step) out.push(s.slice(i, i + step));
  while (out.length < min) out.push("");
  return out;
}

export interface StreamReplyOptions {
  cut?: boolean;
  hold?: boolean;
  delayMs?: number;
}

/**
 * Plays a streamed reply. With `errorFrames`, the frames up to `cutAt`, then those, then a proper
 * end; otherwise all frames, or (with `cut` / `hold`) the first `cutAt` and then the drop / hold.
 */
export function playReply(req: IncomingMessage, res: ServerResponse, frames: SseFrame[], cutAt: number, o: StreamReplyOptions, errorFrames?: SseFrame[]): Promise<void> {
  if (errorFrames) return playSse(req, res, [...frames.slice(0, cutAt), ...errorFrames], { mode: "complete" }, o.delayMs);
  const ending: SseEnding = o.cut ? { mode: "cut", at: cutAt } : o.hold ? { mode: "hold", at: cutAt } : { mode: "complete" };
  return playSse(req, res, frames, ending, o.delayMs);
}

export interface HttpFake {
  url: string;
  server: Server;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

export type Handler = (req: RecordedRequest, raw: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/**
 * Starts the server. `control` handles `/_fake/enqueue` (JSON reply or array) and `/_fake/reset`;
 * `GET /_fake/requests` returns what was recorded.
 */
export async function startHttpFake(handler: Handler, control: { enqueue(body: unknown): void; reset(): void }, port = 0): Promise<HttpFake> {
  const requests: RecordedRequest[] = [];
  const server = createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on("data", (c: Buffer) => chunks.push(c));
    raw.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        /* keep the raw text */
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(raw.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
      const path = (raw.url ?? "/").split("?")[0] ?? "/";
      if (path.startsWith("/_fake/")) {
        if (path === "/_fake/requests") return json(res, 200, requests);
        if (path === "/_fake/enqueue") {
          control.enqueue(body);
          return json(res, 200, { ok: true });
        }
        if (path === "/_fake/reset") {
          control.reset();
          requests.length = 0;
          return json(res, 200, { ok: true });
        }
        return json(res, 404, { error: "unknown control path" });
      }
      const rec: RecordedRequest = { method: raw.method ?? "GET", path, headers, body };
      requests.push(rec);
      Promise.resolve(handler(rec, raw, res)).catch((err: unknown) => {
        if (!res.headersSent) json(res, 500, { error: { type: "api_error", message: `fake crashed: ${String(err)}` } });
        else res.destroy();
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    server,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** A model fake scripted with a queue of replies (see anthropic.ts, openai.ts). */
export interface ScriptedFake<R> {
  url: string;
  requests: RecordedRequest[];
  enqueue(...replies: Array<Scripted<R>>): void;
  /** replies still queued */
  pending(): number;
  /** bodies of the recorded requests to the model API (control and other paths left out) */
  // biome-ignore lint: request bodies are arbitrary JSON
  bodies(): any[];
  stop(): Promise<void>;
}

/** What a test may set on a model fake. */
export interface ModelFakeOptions<R> {
  port?: number;
  /** `"echo"` (answer with the last user text), a reply, or a function of the request, used when the queue is empty */
  fallback?: "echo" | Scripted<R>;
  /** when set, a request carrying any other API key gets 401 (where the key is read is the fake's own) */
  apiKey?: string;
}

/** What one model API fake supplies to `startScriptedFake`. */
export interface ModelFakeShape<R> {
  /** answers a request with the queued reply (undefined: none queued and no fallback) */
  answer(reply: R | undefined, req: RecordedRequest, raw: IncomingMessage, res: ServerResponse, apiKey: string | undefined): Promise<void> | void;
  /** the `"echo"` fallback */
  echo(req: RecordedRequest): R;
  /** which recorded paths `bodies()` returns */
  isApiPath(path: string): boolean;
}

/** Starts a fake that answers each request with the next queued reply, else the fallback. */
export async function startScriptedFake<R>(shape: ModelFakeShape<R>, o: ModelFakeOptions<R>): Promise<ScriptedFake<R>> {
  const queue = new ReplyQueue<R>(o.fallback === "echo" ? shape.echo : o.fallback);
  const http = await startHttpFake(
    (req, raw, res) => shape.answer(queue.next(req), req, raw, res, o.apiKey),
    { enqueue: (body) => queue.push(...((Array.isArray(body) ? body : [body]) as R[])), reset: () => queue.clear() },
    o.port,
  );
  return {
    url: http.url,
    requests: http.requests,
    enqueue: (...replies) => queue.push(...replies),
    pending: () => queue.length,
    bodies: () => http.requests.filter((r) => shape.isApiPath(r.path)).map((r) => r.body),
    stop: http.stop,
  };
}

/** Command-line entry of a fake: starts it on `--port N` (default 0), prints `<envName>=<url>`, serves until SIGINT/SIGTERM. */
export async function serveFromCli<F extends { url: string; stop(): Promise<void> }>(start: (port: number) => Promise<F>, envName: string, argv: string[]): Promise<F> {
  const fake = await start(portArg(argv));
  process.stdout.write(`${envName}=${fake.url}\n`);
  serveUntilSignal(fake);
  return fake;
}

/** `--port N` from argv (default 0). */
export function portArg(argv: string[]): number {
  const i = argv.indexOf("--port");
  const v = i >= 0 ? Number(argv[i + 1]) : 0;
  return Number.isInteger(v) && v >= 0 ? v : 0;
}

/** Keeps a fake started from the command line alive until SIGINT/SIGTERM, then stops it. */
export function serveUntilSignal(fake: { stop(): Promise<void> }): void {
  const stop = () => void fake.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
