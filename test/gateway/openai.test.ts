// The OpenAI-compatible endpoints, driven by the official `openai` npm client over a real socket.
import { afterAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { listen, makeHarness, TOKEN } from "./helpers.ts";

const h = makeHarness({ config: { agents: { entries: { helper: {} } } } });
const srv = listen(h);
const client = new OpenAI({ apiKey: TOKEN, baseURL: `http://127.0.0.1:${srv.port}/v1`, maxRetries: 0 });
afterAll(async () => {
  await srv.stop(true);
  await h.close();
});

describe("OpenAI-compatible API", () => {
  test("models lists the agents", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(["openclaw", "openclaw/main", "openclaw/helper"]);
    expect((await client.models.retrieve("openclaw/helper")).id).toBe("openclaw/helper");
  });

  test("non-streaming completion: the last user message is the input", async () => {
    const r = await client.chat.completions.create({
      model: "openclaw",
      messages: [
        { role: "system", content: "ignored here" },
        { role: "user", content: "first" },
        { role: "assistant", content: "earlier" },
        { role: "user", content: "hello there" },
      ],
    });
    expect(r.object).toBe("chat.completion");
    expect(r.choices[0]!.message.content).toBe("echo: hello there");
    expect(r.choices[0]!.finish_reason).toBe("stop");
    expect(r.usage!.total_tokens).toBe(5);
  });

  test("streaming completion: SSE chunks in order, then [DONE]", async () => {
    const stream = await client.chat.completions.create({ model: "openclaw/main", messages: [{ role: "user", content: [{ type: "text", text: "stream me" }] }], stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0]!.id)).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("echo: stream me");
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish!.choices[0]!.finish_reason).toBe("stop");
    expect(chunks.at(-1)!.usage!.completion_tokens).toBe(2);
  });

  test("raw SSE ends with data: [DONE]", async () => {
    const res = await fetch(`http://127.0.0.1:${srv.port}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "openclaw", stream: true, messages: [{ role: "user", content: "x" }] }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  test("session: `user` keeps one conversation; the header names a session; otherwise fresh each time", async () => {
    await client.chat.completions.create({ model: "openclaw", user: "alice", messages: [{ role: "user", content: "one" }] });
    await client.chat.completions.create({ model: "openclaw", user: "alice", messages: [{ role: "user", content: "two" }] });
    const hist = (await h.rpc("chat.history", { sessionKey: "agent:main:openai:alice" })).result.entries;
    expect(hist.filter((e: any) => e.kind === "message" && e.role === "user").map((e: any) => e.text)).toEqual(["one", "two"]);

    const raw = await client.chat.completions
      .create({ model: "openclaw", messages: [{ role: "user", content: "via header" }] }, { headers: { "x-openclaw-session-key": "agent:main:custom" } })
      .withResponse();
    expect(raw.response.headers.get("x-openclaw-session-key")).toBe("agent:main:custom");
    expect((await h.rpc("sessions.get", { sessionKey: "agent:main:custom" })).result.session.key).toBe("agent:main:custom");

    const a = await client.chat.completions.create({ model: "openclaw", messages: [{ role: "user", content: "anon" }] }).withResponse();
    const b = await client.chat.completions.create({ model: "openclaw", messages: [{ role: "user", content: "anon" }] }).withResponse();
    expect(a.response.headers.get("x-openclaw-session-key")).not.toBe(b.response.headers.get("x-openclaw-session-key"));
  });

  test("a refused token, a rate-limited client, a foreign Origin and an unknown /v1 path answer in OpenAI's error shape", async () => {
    const url = `http://127.0.0.1:${srv.port}/v1/chat/completions`;
    const body = JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "x" }] });
    const shape = (j: any) => ({ keys: Object.keys(j).sort(), errorKeys: Object.keys(j.error ?? {}).sort(), type: j.error?.type, code: j.error?.code, message: typeof j.error?.message });
    const res = await fetch(url, { method: "POST", headers: { authorization: "Bearer wrong" }, body });
    expect(res.status).toBe(401);
    expect(shape(await res.json())).toEqual({ keys: ["error"], errorKeys: ["code", "message", "param", "type"], type: "invalid_request_error", code: "invalid_api_key", message: "string" });
    let limited: Response | undefined;
    for (let i = 0; i < 10 && !limited; i++) {
      const r = await fetch(`http://127.0.0.1:${srv.port}/v1/models`, { headers: { authorization: `Bearer wrong-${i}` } });
      if (r.status === 429) limited = r;
    }
    expect(limited).toBeDefined();
    expect(limited!.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(shape(await limited!.json())).toMatchObject({ keys: ["error"], type: "rate_limit_error", code: "rate_limit_exceeded" });
    h.gw.limiter.success("127.0.0.1");
    const foreign = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, origin: "https://evil.example" }, body });
    expect(foreign.status).toBe(403);
    expect(shape(await foreign.json())).toMatchObject({ keys: ["error"], type: "invalid_request_error", code: "origin_not_allowed" });
    const missing = await fetch(`http://127.0.0.1:${srv.port}/v1/embeddings`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: "{}" });
    expect(missing.status).toBe(404);
    expect(shape(await missing.json())).toMatchObject({ keys: ["error"], type: "invalid_request_error", code: "unknown_url" });
  });

  test("errors come back in OpenAI's shape", async () => {
    // (the client's APIPromise is awaited directly: handing it to expect().rejects misbehaves under bun test)
    const caught = async (p: PromiseLike<unknown>) => {
      try {
        await p;
      } catch (e) {
        return e as { status?: number; code?: string };
      }
      throw new Error("expected a rejection");
    };
    expect(await caught(client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] }))).toMatchObject({ status: 404, code: "model_not_found" });
    expect(await caught(client.chat.completions.create({ model: "openclaw", messages: [{ role: "assistant", content: "x" }] }))).toMatchObject({ status: 400 });
    const bad = new OpenAI({ apiKey: "wrong", baseURL: `http://127.0.0.1:${srv.port}/v1`, maxRetries: 0 });
    expect(await caught(bad.models.list())).toMatchObject({ status: 401 });
    h.gw.limiter.success("127.0.0.1");
    const res = await fetch(`http://127.0.0.1:${srv.port}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: "{not json" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.type).toBe("invalid_request_error");
  });
});
