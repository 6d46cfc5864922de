import { afterEach, expect, test } from "bun:test";
import { GatedProvider, listen, makeHarness, TOKEN, type Harness } from "../helpers.ts";
import type { RunningServer } from "../../../src/gateway/server.ts";
import { ocConnect, type OcClient } from "./oc-client.ts";

let h: Harness | undefined;
let srv: RunningServer | undefined;
afterEach(async () => {
  await srv?.stop(true);
  await h?.close();
  h = srv = undefined;
});

async function connected(opts: Parameters<typeof makeHarness>[0] = {}, scopes?: string[]): Promise<OcClient> {
  h = makeHarness(opts);
  srv = listen(h);
  const c = await ocConnect(`ws://127.0.0.1:${srv.port}/`);
  const res = await c.connect({ token: TOKEN }, scopes ? { scopes } : {});
  expect(res.ok).toBe(true);
  return c;
}

test("chat.send answers {runId} first, then chat deltas with deltaText and the cumulative message, then final", async () => {
  const c = await connected();
  const res = await c.request("chat.send", { sessionKey: "main", message: "hi", idempotencyKey: "k1" });
  expect(res.ok).toBe(true);
  const runId = res.payload.runId;
  expect(runId).toMatch(/^run_/);
  const final = await c.until(() => c.events("chat", runId).find((e) => e.state === "final"), "the final chat event");
  const deltas = c.events("chat", runId).filter((e) => e.state === "delta");
  expect(deltas.map((d) => d.deltaText).join("")).toBe("echo: hi");
  expect(deltas.at(-1).message.content[0].text).toBe("echo: hi");
  expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i));
  expect(final.sessionKey).toBe("agent:main:main");
  expect(final.message.content[0].text).toBe("echo: hi");
  // the answer came before any event of its run
  const resAt = c.frames.findIndex((f) => f.type === "res" && f.id === res.id);
  const firstEvent = c.frames.findIndex((f) => f.type === "event" && f.payload?.runId === runId);
  expect(resAt).toBeLessThan(firstEvent);
  c.close();
});

test("chat.send honours the idempotency key: the same key answers the same run", async () => {
  const provider = new GatedProvider();
  const c = await connected({ provider });
  const a = await c.request("chat.send", { sessionKey: "main", message: "one", idempotencyKey: "same" });
  const b = await c.request("chat.send", { sessionKey: "main", message: "one", idempotencyKey: "same" });
  expect(b.payload.runId).toBe(a.payload.runId);
  expect(b.payload.status).toBe("in_flight");
  provider.release();
  c.close();
});

test("chat.abort ends a run with state aborted; chat.history returns the messages", async () => {
  const provider = new GatedProvider();
  const c = await connected({ provider });
  const sent = await c.request("chat.send", { sessionKey: "main", message: "wait", idempotencyKey: "k" });
  await c.until(() => c.events("chat", sent.payload.runId).find((e) => e.state === "delta"), "the first delta");
  const ab = await c.request("chat.abort", { sessionKey: "main" });
  expect(ab.payload).toEqual({ ok: true, aborted: true });
  const end = await c.until(() => c.events("chat", sent.payload.runId).find((e) => e.state !== "delta"), "the end of the run");
  expect(end.state).toBe("aborted");
  const hist = await c.request("chat.history", { sessionKey: "main" });
  expect(hist.payload.sessionKey).toBe("agent:main:main");
  expect(hist.payload.messages[0]).toMatchObject({ role: "user", content: [{ type: "text", text: "wait" }] });
  c.close();
});

test("agent answers accepted at once and agent.wait returns the run's end", async () => {
  const c = await connected();
  const res = await c.request("agent", { message: "go", idempotencyKey: "a1" });
  expect(res.payload).toMatchObject({ status: "accepted" });
  const waited = await c.request("agent.wait", { runId: res.payload.runId, timeoutMs: 5000 });
  expect(waited.payload).toMatchObject({ status: "ok", runId: res.payload.runId, outcome: "ok" });
  const unknown = await c.request("agent.wait", { runId: "run_nope" });
  expect(unknown.error.code).toBe("NOT_FOUND");
  c.close();
});

test("sessions.list|get|reset|delete, health, status, models.list, commands.list, channels.status", async () => {
  const c = await connected({ config: { agents: { defaults: { model: "anthropic/claude-sonnet-4-5" } } } });
  const sent = await c.request("chat.send", { sessionKey: "main", message: "x", idempotencyKey: "s" });
  await c.until(() => c.events("chat", sent.payload.runId).find((e) => e.state === "final"), "the final");
  const list = await c.request("sessions.list", {});
  expect(list.payload.count).toBe(1);
  expect(list.payload.sessions[0].key).toBe("agent:main:main");
  expect((await c.request("sessions.get", { key: "main" })).ok).toBe(true);
  expect((await c.request("sessions.reset", { key: "main" })).payload.ok).toBe(true);
  expect((await c.request("sessions.delete", { key: "main" })).payload.ok).toBe(true);
  expect((await c.request("sessions.get", { key: "main" })).error.code).toBe("NOT_FOUND");
  expect((await c.request("health")).payload.ok).toBe(true);
  expect((await c.request("status")).payload.version).toBe("test");
  expect((await c.request("models.list")).payload.models).toEqual([{ id: "claude-sonnet-4-5", name: "claude-sonnet-4-5", provider: "anthropic", available: true }]);
  expect((await c.request("commands.list")).payload.commands.map((x: any) => x.name)).toContain("new");
  expect((await c.request("channels.status")).ok).toBe(true);
  c.close();
});

test("config.get is redacted and needs operator.admin; a read-only client gets FORBIDDEN / MISSING_SCOPE", async () => {
  const secret = "sk-ant-" + "s".repeat(40);
  const admin = await connected({ config: { models: { providers: { anthropic: { apiKey: secret } } } } });
  const got = await admin.request("config.get");
  expect(got.ok).toBe(true);
  expect(JSON.stringify(got)).not.toContain(secret);
  admin.close();
  await srv?.stop(true);
  await h?.close();

  const reader = await connected({}, ["operator.read"]);
  const denied = await reader.request("config.get");
  expect(denied.error.code).toBe("FORBIDDEN");
  expect(denied.error.details).toEqual({ code: "MISSING_SCOPE" });
  const send = await reader.request("chat.send", { sessionKey: "main", message: "x", idempotencyKey: "r" });
  expect(send.error.code).toBe("FORBIDDEN");
  expect((await reader.request("status")).ok).toBe(true);
  reader.close();
});

test("an unknown method, bad params and a non-request frame answer clear errors and keep the socket open", async () => {
  const c = await connected();
  const unknown = await c.request("no.such.method", {});
  expect(unknown.ok).toBe(false);
  expect(unknown.error.code).toBe("METHOD_NOT_FOUND");
  const bad = await c.request("chat.send", { sessionKey: "main" });
  expect(bad.error.code).toBe("INVALID_REQUEST");
  expect(JSON.stringify(bad.error.details)).toContain("message");
  c.ws.send(JSON.stringify({ type: "req", id: "x" }));
  const inval = await c.until(() => c.frames.find((f) => f.type === "res" && f.id === "x"), "the answer to a frame without method");
  expect(inval.error.code).toBe("INVALID_REQUEST");
  c.ws.send("not json");
  await c.until(() => c.frames.find((f) => f.type === "res" && f.id === "unknown"), "the answer to a frame that is not JSON");
  expect((await c.request("connect", {})).error.message).toContain("already connected");
  expect((await c.request("health")).ok).toBe(true);
  expect(c.closed).toBeNull();
  c.close();
});
