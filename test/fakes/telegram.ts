/**
 * A fake Telegram Bot API: a real HTTP server on 127.0.0.1:0 that grammY talks to through `apiRoot`.
 * `/bot<token>/<method>` and `/file/bot<token>/<path>`. It keeps chats and messages, answers the
 * methods the channel uses, records every call with a timestamp, and can be scripted to fail
 * (429 with retry_after, 400 entity errors, 409 conflicts, blocked users).
 *
 * Test helpers inject updates (`dm`, `group`, `photo`, `document`, `raw`) and wait for conditions
 * (`waitFor`, always bounded). `bun test/fakes/telegram.ts` runs it standalone and prints its URL;
 * a control API (`POST /_control/inject`, `GET /_control/calls`) lets another process drive it.
 */
import type { Server } from "bun";

export const FAKE_BOT_ID = 7_000_000_001;
export const FAKE_BOT_USERNAME = "openclaw_test_bot";
export const FAKE_TOKEN = `${FAKE_BOT_ID}:AAF4keTokenForTests_abcdefghijklmnopqrstu`;

export interface RecordedCall {
  method: string;
  params: Record<string, any>;
  ts: number;
  /** the HTTP status the fake answered with */
  status: number;
}

export interface FakeMessage {
  message_id: number;
  chat_id: number;
  text: string;
  parse_mode?: string;
  thread_id?: number;
  sentAt: number;
  edits: { text: string; ts: number; parse_mode?: string }[];
}

interface ScriptedFailure {
  method: string;
  code: number;
  description: string;
  retryAfter?: number;
  /** only fail when this predicate matches the params */
  when?: (params: Record<string, any>) => boolean;
}

interface Waiter {
  offset: number;
  resolve: (status: number, body: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface FakeTelegramOptions {
  token?: string;
  /** cap on how long a getUpdates long poll may wait, whatever timeout the bot asks for */
  maxPollWaitMs?: number;
}

export class FakeTelegram {
  readonly token: string;
  readonly calls: RecordedCall[] = [];
  readonly messages: FakeMessage[] = [];
  readonly files = new Map<string, { path: string; bytes: Uint8Array }>();
  commands: { command: string; description: string }[] = [];
  webhook: { url: string; secret?: string } | null = null;
  #server: Server<undefined> | null = null;
  #updates: { update_id: number; [k: string]: unknown }[] = [];
  #nextUpdateId = 100_000;
  #nextMessageId = new Map<number, number>();
  #failures: ScriptedFailure[] = [];
  #hangs = new Map<string, number>();
  #blocked = new Set<number>();
  #knownChats = new Set<number>();
  #waiter: Waiter | null = null;
  #maxPollWaitMs: number;
  #confirmedOffset = 0;
  /** ids of updates confirmed by a later getUpdates offset */
  stalls = 0;

  constructor(opts: FakeTelegramOptions = {}) {
    this.token = opts.token ?? FAKE_TOKEN;
    this.#maxPollWaitMs = opts.maxPollWaitMs ?? 1000;
  }

  get url(): string {
    if (!this.#server) throw new Error("fake telegram not started");
    return `http://127.0.0.1:${this.#server.port}`;
  }

  async start(port = 0): Promise<this> {
    this.#server = Bun.serve({ hostname: "127.0.0.1", port, idleTimeout: 60, fetch: (req) => this.#handle(req) });
    return this;
  }

  async stop(): Promise<void> {
    if (this.#waiter) this.#finishWaiter([]);
    this.#server?.stop(true);
    this.#server = null;
  }

  // ---- scripting -------------------------------------------------------------------------

  /** Fail the next `times` calls of `method` with this error. */
  failNext(method: string, failure: { code: number; description: string; retryAfter?: number; when?: ScriptedFailure["when"] }, times = 1): void {
    for (let i = 0; i < times; i++) this.#failures.push({ method, ...failure });
  }
  rateLimitNext(method: string, retryAfter: number, times = 1): void {
    this.failNext(method, { code: 429, description: `Too Many Requests: retry after ${retryAfter}`, retryAfter }, times);
  }
  conflictNext(times = 1): void {
    this.failNext("getUpdates", { code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" }, times);
  }
  /** The user blocked the bot: every send to this chat answers 403. */
  block(chatId: number): void {
    this.#blocked.add(chatId);
  }
  /** Never answer the next `times` calls of `method` (until the client aborts): start-up and timeout paths. */
  hangNext(method: string, times = 1): void {
    this.#hangs.set(method, (this.#hangs.get(method) ?? 0) + times);
  }
  /** Requests the client aborted while the fake was hanging on them. */
  abortedCalls = 0;
  /** File downloads: send the headers and the first bytes, then never finish the body. */
  hangDownloads = false;
  /** Make getUpdates hang (never answer) for the next `times` polls: exercises the watchdog. */
  stallNext(times = 1): void {
    this.stalls += times;
  }

  // ---- injecting updates -----------------------------------------------------------------

  raw(update: Record<string, unknown>): number {
    const update_id = this.#nextUpdateId++;
    if (this.webhook) void this.#push({ update_id, ...update });
    else {
      this.#updates.push({ update_id, ...update });
      this.#wake();
    }
    return update_id;
  }

  /** Webhook deliveries: status of each POST to the webhook URL. */
  readonly pushes: { updateId: number; status: number }[] = [];

  /** Deliver to the webhook like Telegram: POST with the secret header; retry (bounded) until a 200. */
  async #push(update: { update_id: number }, attempts = 3): Promise<void> {
    const wh = this.webhook!;
    for (let i = 0; i < attempts; i++) {
      let status = 0;
      try {
        const res = await fetch(wh.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(wh.secret ? { "x-telegram-bot-api-secret-token": wh.secret } : {}) },
          body: JSON.stringify(update),
        });
        status = res.status;
      } catch {
        status = 0;
      }
      this.pushes.push({ updateId: update.update_id, status });
      if (status === 200) return;
      await Bun.sleep(50);
    }
  }

  #message(chat: Record<string, unknown>, from: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
    const chatId = chat.id as number;
    this.#knownChats.add(chatId);
    return { message_id: this.#allocMessageId(chatId), date: Math.floor(Date.now() / 1000), chat, from, ...extra };
  }

  dm(userId: number, text: string, opts: { firstName?: string; username?: string } = {}): number {
    const from = { id: userId, is_bot: false, first_name: opts.firstName ?? `User${userId}`, username: opts.username };
    const entities = commandEntities(text);
    return this.raw({ message: this.#message({ id: userId, type: "private", first_name: from.first_name }, from, { text, ...(entities.length ? { entities } : {}) }) });
  }

  group(chatId: number, userId: number, text: string, opts: { mention?: boolean; replyToBot?: boolean; threadId?: number; title?: string } = {}): number {
    const from = { id: userId, is_bot: false, first_name: `User${userId}` };
    let body = text;
    const entities: Record<string, unknown>[] = [];
    if (opts.mention) {
      const m = `@${FAKE_BOT_USERNAME}`;
      body = `${m} ${text}`;
      entities.push({ type: "mention", offset: 0, length: m.length });
    } else entities.push(...commandEntities(text));
    const extra: Record<string, unknown> = { text: body };
    if (entities.length) extra.entities = entities;
    if (opts.replyToBot) {
      extra.reply_to_message = { message_id: 1, date: 0, chat: { id: chatId, type: "supergroup" }, from: { id: FAKE_BOT_ID, is_bot: true, first_name: "Bot", username: FAKE_BOT_USERNAME }, text: "earlier" };
    }
    const chat: Record<string, unknown> = { id: chatId, type: "supergroup", title: opts.title ?? `Group ${chatId}` };
    if (opts.threadId !== undefined) {
      chat.is_forum = true;
      extra.message_thread_id = opts.threadId;
      extra.is_topic_message = true;
    }
    return this.raw({ message: this.#message(chat, from, extra) });
  }

  addFile(bytes: Uint8Array, path: string): string {
    const id = `file_${this.files.size + 1}_${Math.random().toString(36).slice(2, 8)}`;
    this.files.set(id, { path, bytes });
    return id;
  }

  photo(userId: number, bytes: Uint8Array, caption?: string): number {
    const file_id = this.addFile(bytes, `photos/file_${this.files.size}.jpg`);
    const from = { id: userId, is_bot: false, first_name: `User${userId}` };
    const photo = [
      { file_id: `${file_id}_thumb`, file_unique_id: "t", width: 90, height: 90, file_size: 10 },
      { file_id, file_unique_id: "u", width: 800, height: 600, file_size: bytes.byteLength },
    ];
    return this.raw({ message: this.#message({ id: userId, type: "private" }, from, { photo, ...(caption ? { caption } : {}) }) });
  }

  document(userId: number, fileName: string, mimeType: string, bytes: Uint8Array, caption?: string): number {
    const file_id = this.addFile(bytes, `documents/${fileName}`);
    const from = { id: userId, is_bot: false, first_name: `User${userId}` };
    const document = { file_id, file_unique_id: "d", file_name: fileName, mime_type: mimeType, file_size: bytes.byteLength };
    return this.raw({ message: this.#message({ id: userId, type: "private" }, from, { document, ...(caption ? { caption } : {}) }) });
  }

  voice(userId: number): number {
    const file_id = this.addFile(new Uint8Array([1, 2, 3]), "voice/v.oga");
    const from = { id: userId, is_bot: false, first_name: `User${userId}` };
    return this.raw({ message: this.#message({ id: userId, type: "private" }, from, { voice: { file_id, file_unique_id: "v", duration: 1 } }) });
  }

  /** Updates not yet confirmed by the bot (offset). */
  get pendingUpdates(): number {
    return this.#updates.length;
  }

  // ---- reading what the bot did ------------------------------------------------------------

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }
  /** Messages the bot sent to a chat, oldest first, with their final text. */
  sentTo(chatId: number): FakeMessage[] {
    return this.messages.filter((m) => m.chat_id === chatId);
  }
  /** The final visible texts in a chat (after edits). */
  textsIn(chatId: number): string[] {
    return this.sentTo(chatId).map((m) => m.text);
  }

  /** Poll `cond` every 10 ms until it is true or `timeoutMs` passes (then throw with `label`). */
  async waitFor(cond: () => boolean, timeoutMs = 5000, label = "condition"): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`fake telegram: timed out after ${timeoutMs} ms waiting for ${label}`);
      await Bun.sleep(10);
    }
  }

  // ---- the server ------------------------------------------------------------------------

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname.startsWith("/_control/")) return this.#control(req, url);
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) {
      if (file[1] !== this.token) return new Response("Unauthorized", { status: 401 });
      if (this.hangDownloads) return this.#hangingBody(req);
      for (const f of this.files.values()) if (f.path === decodeURIComponent(file[2]!)) return new Response(f.bytes.slice().buffer as ArrayBuffer);
      return new Response("Not Found", { status: 404 });
    }
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return json(404, { ok: false, error_code: 404, description: "Not Found" });
    const params = await readParams(req, url);
    const method = m[2]!;
    const record: RecordedCall = { method, params, ts: Date.now(), status: 200 };
    this.calls.push(record);
    const reply = (status: number, body: unknown) => {
      record.status = status;
      return json(status, body);
    };
    if (m[1] !== this.token) return reply(401, { ok: false, error_code: 401, description: "Unauthorized" });
    const hangs = this.#hangs.get(method) ?? 0;
    if (hangs > 0) {
      this.#hangs.set(method, hangs - 1);
      await new Promise<void>((resolve) => req.signal.addEventListener("abort", () => resolve(), { once: true }));
      this.abortedCalls++;
      return reply(499, { ok: false, error_code: 499, description: "client went away" });
    }
    const fail = this.#takeFailure(method, params);
    if (fail) {
      const body: Record<string, unknown> = { ok: false, error_code: fail.code, description: fail.description };
      if (fail.retryAfter !== undefined) body.parameters = { retry_after: fail.retryAfter };
      return reply(fail.code, body);
    }
    if (method === "getUpdates") {
      const [status, body] = await this.#getUpdates(params, req.signal);
      return reply(status, body);
    }
    const [status, body] = this.#call(method, params);
    return reply(status, body);
  }

  #hangingBody(req: Request): Response {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        controller.enqueue(new Uint8Array(16));
        req.signal.addEventListener("abort", () => {
          this.abortedCalls++;
          controller.close();
        }, { once: true });
      },
    });
    return new Response(body, { headers: { "content-type": "application/octet-stream" } });
  }

  #takeFailure(method: string, params: Record<string, any>): ScriptedFailure | undefined {
    const i = this.#failures.findIndex((f) => f.method === method && (!f.when || f.when(params)));
    return i < 0 ? undefined : this.#failures.splice(i, 1)[0];
  }

  #call(method: string, p: Record<string, any>): [number, unknown] {
    const ok = (result: unknown): [number, unknown] => [200, { ok: true, result }];
    const bad = (code: number, description: string): [number, unknown] => [code, { ok: false, error_code: code, description }];
    switch (method) {
      case "getMe":
        return ok({ id: FAKE_BOT_ID, is_bot: true, first_name: "OpenClaw Test", username: FAKE_BOT_USERNAME, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case "deleteWebhook":
        this.webhook = null;
        return ok(true);
      case "setWebhook":
        this.webhook = { url: String(p.url), secret: p.secret_token };
        return ok(true);
      case "getWebhookInfo":
        return ok({ url: this.webhook?.url ?? "", has_custom_certificate: false, pending_update_count: this.#updates.length });
      case "setMyCommands":
        this.commands = p.commands ?? [];
        return ok(true);
      case "sendChatAction": {
        const chatId = Number(p.chat_id);
        if (this.#blocked.has(chatId)) return bad(403, "Forbidden: bot was blocked by the user");
        if (!this.#knownChats.has(chatId)) return bad(400, "Bad Request: chat not found");
        return ok(true);
      }
      case "sendMessage": {
        const chatId = Number(p.chat_id);
        if (this.#blocked.has(chatId)) return bad(403, "Forbidden: bot was blocked by the user");
        if (!this.#knownChats.has(chatId)) return bad(400, "Bad Request: chat not found");
        const text = String(p.text ?? "");
        if (text.length === 0) return bad(400, "Bad Request: message text is empty");
        const checked = this.#checkText(text, p.parse_mode);
        if (typeof checked !== "string") return checked;
        const msg: FakeMessage = { message_id: this.#allocMessageId(chatId), chat_id: chatId, text: checked, parse_mode: p.parse_mode, thread_id: p.message_thread_id, sentAt: Date.now(), edits: [] };
        this.messages.push(msg);
        return ok({ message_id: msg.message_id, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: chatId > 0 ? "private" : "supergroup" }, text: checked });
      }
      case "editMessageText": {
        const chatId = Number(p.chat_id);
        const msg = this.messages.find((x) => x.chat_id === chatId && x.message_id === Number(p.message_id));
        if (!msg) return bad(400, "Bad Request: message to edit not found");
        const checked = this.#checkText(String(p.text ?? ""), p.parse_mode);
        if (typeof checked !== "string") return checked;
        if (checked === msg.text && p.parse_mode === msg.parse_mode) {
          return bad(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
        }
        msg.text = checked;
        msg.parse_mode = p.parse_mode;
        msg.edits.push({ text: checked, ts: Date.now(), parse_mode: p.parse_mode });
        return ok({ message_id: msg.message_id, date: Math.floor(msg.sentAt / 1000), chat: { id: chatId, type: "private" }, text: checked });
      }
      case "getFile": {
        const f = this.files.get(String(p.file_id));
        if (!f) return bad(400, "Bad Request: invalid file_id");
        return ok({ file_id: p.file_id, file_unique_id: "x", file_size: f.bytes.byteLength, file_path: f.path });
      }
      default:
        return bad(404, "Not Found: method not found");
    }
  }

  /** The visible text of a message, or an error response when Telegram would refuse it. */
  #checkText(text: string, parseMode: unknown): string | [number, unknown] {
    let visible = text;
    if (parseMode === "HTML") {
      const r = validateTelegramHtml(text);
      if (!r.ok) return [400, { ok: false, error_code: 400, description: `Bad Request: can't parse entities: ${r.error}` }];
      visible = r.text;
    }
    if (visible.length > 4096) return [400, { ok: false, error_code: 400, description: "Bad Request: message is too long" }];
    return visible;
  }

  async #getUpdates(p: Record<string, any>, signal: AbortSignal): Promise<[number, unknown]> {
    if (this.webhook) {
      return [409, { ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" }];
    }
    const offset = p.offset === undefined ? 0 : Number(p.offset);
    if (offset > this.#confirmedOffset) this.#confirmedOffset = offset;
    this.#updates = this.#updates.filter((u) => u.update_id >= this.#confirmedOffset);
    // A newer poll terminates the older one, as Telegram does.
    if (this.#waiter) {
      const old = this.#waiter;
      this.#waiter = null;
      clearTimeout(old.timer);
      old.resolve(409, { ok: false, error_code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" });
    }
    if (this.stalls > 0) {
      this.stalls--;
      // Never answer (until the client gives up); the bot's watchdog must notice.
      await new Promise<void>((resolve) => {
        signal.addEventListener("abort", () => resolve(), { once: true });
        setTimeout(resolve, 30_000).unref?.();
      });
      return [200, { ok: true, result: [] }];
    }
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
    const ready = this.#updates.filter((u) => u.update_id >= offset).slice(0, limit);
    const timeoutMs = Math.min(Number(p.timeout ?? 0) * 1000, this.#maxPollWaitMs);
    if (ready.length > 0 || timeoutMs <= 0) return [200, { ok: true, result: ready }];
    return new Promise((resolve) => {
      const waiter: Waiter = {
        offset,
        resolve: (status, body) => resolve([status, body]),
        timer: setTimeout(() => this.#finishWaiter([]), timeoutMs),
      };
      this.#waiter = waiter;
      signal.addEventListener("abort", () => {
        if (this.#waiter === waiter) {
          clearTimeout(waiter.timer);
          this.#waiter = null;
        }
      }, { once: true });
    });
  }

  #wake(): void {
    const w = this.#waiter;
    if (!w) return;
    const ready = this.#updates.filter((u) => u.update_id >= w.offset).slice(0, 100);
    if (ready.length > 0) this.#finishWaiter(ready);
  }

  #finishWaiter(result: unknown[]): void {
    const w = this.#waiter;
    if (!w) return;
    this.#waiter = null;
    clearTimeout(w.timer);
    w.resolve(200, { ok: true, result });
  }

  #allocMessageId(chatId: number): number {
    const next = (this.#nextMessageId.get(chatId) ?? 1) + 1;
    this.#nextMessageId.set(chatId, next);
    return next;
  }

  async #control(req: Request, url: URL): Promise<Response> {
    if (url.pathname === "/_control/calls") return json(200, { calls: this.calls, messages: this.messages });
    if (url.pathname === "/_control/inject" && req.method === "POST") {
      const b = (await req.json()) as { kind: string; userId: number; text?: string; chatId?: number; mention?: boolean };
      const id = b.kind === "group" ? this.group(b.chatId!, b.userId, b.text ?? "", { mention: b.mention }) : this.dm(b.userId, b.text ?? "");
      return json(200, { update_id: id });
    }
    return json(404, { error: "unknown control path" });
  }
}

function commandEntities(text: string): Record<string, unknown>[] {
  const m = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
  return m ? [{ type: "bot_command", offset: 0, length: m[0].length }] : [];
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

async function readParams(req: Request, url: URL): Promise<Record<string, any>> {
  const out: Record<string, any> = Object.fromEntries(url.searchParams);
  if (req.method !== "POST") return out;
  const type = req.headers.get("content-type") ?? "";
  if (type.includes("application/json")) {
    const text = await req.text();
    if (text) Object.assign(out, JSON.parse(text));
  } else if (type.includes("multipart/form-data") || type.includes("application/x-www-form-urlencoded")) {
    const form = await req.formData();
    for (const [k, v] of form.entries()) {
      if (typeof v !== "string") continue;
      try {
        out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
      } catch {
        out[k] = v;
      }
    }
  }
  return out;
}

if (import.meta.main) {
  // `bun test/fakes/telegram.ts [--port N]`: prints FAKE_TELEGRAM_URL=<url>; runs until SIGINT/SIGTERM.
  const i = process.argv.indexOf("--port");
  const port = i >= 0 ? Number(process.argv[i + 1]) || 0 : 0;
  const fake = await new FakeTelegram({ token: process.env.FAKE_TELEGRAM_TOKEN ?? FAKE_TOKEN, maxPollWaitMs: 1000 }).start(port);
  process.stdout.write(`FAKE_TELEGRAM_URL=${fake.url}\n`);
  const stop = () => void fake.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

const HTML_TAGS = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji"]);
const ENTITY: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

/** Parse Telegram HTML the way the Bot API does (strictly): known tags, balanced, escaped text. */
export function validateTelegramHtml(html: string): { ok: true; text: string } | { ok: false; error: string } {
  const stack: string[] = [];
  let text = "";
  let i = 0;
  while (i < html.length) {
    const ch = html[i]!;
    if (ch === "<") {
      const end = html.indexOf(">", i);
      if (end < 0) return { ok: false, error: `Unclosed start tag at byte offset ${i}` };
      const inner = html.slice(i + 1, end);
      const close = inner.startsWith("/");
      const name = (close ? inner.slice(1) : inner).trim().split(/\s+/)[0]!.toLowerCase();
      if (!HTML_TAGS.has(name)) return { ok: false, error: `Unsupported start tag "${name}" at byte offset ${i}` };
      if (close) {
        if (stack.pop() !== name) return { ok: false, error: `Unmatched end tag at byte offset ${i}, expected "</${stack.at(-1) ?? ""}>", found "</${name}>"` };
      } else stack.push(name);
      i = end + 1;
    } else if (ch === "&") {
      const m = /^&(#\d+|#x[0-9a-f]+|[a-z]+);/i.exec(html.slice(i, i + 12));
      if (!m) return { ok: false, error: `Character '&' is reserved and must be escaped, at byte offset ${i}` };
      const e = m[1]!;
      if (e.startsWith("#")) text += String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
      else if (ENTITY[e.toLowerCase()] !== undefined) text += ENTITY[e.toLowerCase()];
      else return { ok: false, error: `Unsupported HTML entity "${e}" at byte offset ${i}` };
      i += m[0].length;
    } else if (ch === ">") {
      return { ok: false, error: `Character '>' is reserved and must be escaped, at byte offset ${i}` };
    } else {
      text += ch;
      i++;
    }
  }
  if (stack.length > 0) return { ok: false, error: `Can't find end tag corresponding to start tag "${stack.at(-1)}"` };
  return { ok: true, text };
}
