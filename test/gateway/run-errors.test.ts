// A run that fails inside the gateway's process (here: the store refuses the reply, with a file path
// and SQL in its error text) reaches clients as a typed, safe error: WebSocket `chat.event`s and the
// OpenAI endpoint carry the type, a code and a fixed message, never the store's text.
import { afterAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { StorageError, StorageUnavailableError } from "../../src/core/errors.ts";
import { INTERNAL_MESSAGE, STORAGE_MESSAGE, STORAGE_UNAVAILABLE_MESSAGE } from "../../src/gateway/client-error.ts";
import type { AppendInput, AppendOptions } from "../../src/store/types.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { listen, makeHarness, TOKEN, WsClient } from "./helpers.ts";

const SECRET_DETAIL = "/home/alice/.openclaw/state/openclaw.db: INSERT INTO events (session_key, seq) failed";

/** Stores the user's message, refuses everything the run writes afterwards. */
class FailingStore extends MemoryStore {
  constructor(private readonly fail: () => Error) {
    super();
  }
  override async appendMany(sessionKey: string, inputs: AppendInput[], opts?: AppendOptions) {
    if (inputs.some((i) => i.data.type === "assistant_message" || i.data.type === "run_finished")) throw this.fail();
    return super.appendMany(sessionKey, inputs, opts);
  }
}

// A named StorageError is reported as a storage failure; a plain Error is an unexpected bug to the
// agent (it cannot tell where a plain Error came from), so it is reported as an internal error.
for (const [label, fail, expected] of [
  ["a StorageError", () => new StorageError(`disk I/O error in ${SECRET_DETAIL}`), { type: "StorageError", code: -32040, message: STORAGE_MESSAGE }],
  [
    "a StorageUnavailableError (database unreachable)",
    () => new StorageUnavailableError(`lost the connection to PostgreSQL (postgres://u:pw@db/x ${SECRET_DETAIL})`),
    { type: "StorageUnavailableError", code: -32040, message: STORAGE_UNAVAILABLE_MESSAGE },
  ],
  ["a plain Error", () => new Error(`SQLITE_IOERR: ${SECRET_DETAIL}`), { type: "InternalError", code: -32603, message: INTERNAL_MESSAGE }],
] as const) {
  describe(`the store fails with ${label} naming a path`, () => {
    const h = makeHarness({ store: new FailingStore(fail) });
    const srv = listen(h);
    afterAll(async () => {
      await srv.stop(true);
      await h.close();
    });

    test("WebSocket: the error event is typed and safe, the final's reason too; nothing quotes the store", async () => {
      const c = await WsClient.connect(`ws://127.0.0.1:${srv.port}/ws`, { token: TOKEN });
      const frames: string[] = [];
      c.ws.addEventListener("message", (e) => frames.push(String(e.data)));
      const r = (await c.call("chat.send", { sessionKey: "agent:main:failing", text: "hi" })).result;
      await c.until(() => c.events(r.runId).some((e) => e.type === "final"), 5000, "the failed run's final event");
      const error = c.events(r.runId).find((e) => e.type === "error");
      expect(error.error).toEqual(expected);
      const final = c.events(r.runId).find((e) => e.type === "final");
      expect(final).toMatchObject({ outcome: "error", reason: expected.message });
      const all = frames.join("\n");
      expect(all).not.toContain("/home/alice");
      expect(all).not.toContain("INSERT");
      c.close();
    });

    test("OpenAI endpoint, streamed and not: the failure message is the safe one", async () => {
      const client = new OpenAI({ apiKey: TOKEN, baseURL: `http://127.0.0.1:${srv.port}/v1`, maxRetries: 0 });
      let caught: { status?: number; message?: string } | undefined;
      try {
        await client.chat.completions.create({ model: "openclaw", messages: [{ role: "user", content: "x" }] });
      } catch (e) {
        caught = e as { status?: number; message?: string };
      }
      expect(caught?.status).toBe(502);
      expect(caught?.message).toContain(expected.message);
      expect(caught?.message).not.toContain("/home/alice");
      const res = await fetch(`http://127.0.0.1:${srv.port}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "openclaw", stream: true, messages: [{ role: "user", content: "y" }] }),
      });
      const text = await res.text();
      expect(text).toContain(expected.message);
      expect(text).not.toContain("/home/alice");
      expect(text).not.toContain("INSERT");
    });
  });
}
