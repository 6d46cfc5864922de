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

test("agent: accepted (runId = the idempotency key), agent events (lifecycle, assistant), then a second res with the outcome", async () => {
  const c = await connected();
  const res = await c.request("agent", { message: "go", idempotencyKey: "key-1" });
  expect(res.payload).toMatchObject({ runId: "key-1", status: "accepted" });
  const final = await c.until(() => c.frames.find((f) => f.type === "res" && f.id === res.id && f.payload.status !== "accepted"), "the agent's final res");
  expect(final.payload).toEqual({ runId: "key-1", status: "ok", result: { text: "echo: go", payloads: [{ text: "echo: go" }] } });
  const evs = c.events("agent", "key-1");
  expect(evs[0].stream).toBe("lifecycle");
  expect(evs[0].data.phase).toBe("start");
  expect(evs.filter((e) => e.stream === "assistant").at(-1).data.text).toBe("echo: go");
  expect(evs.at(-1).data).toEqual({ phase: "end" });
  expect(evs.map((e) => e.seq)).toEqual(evs.map((_, i) => i));
  // accepted came before every event; the final res after the last
  const at = (pred: (f: any) => boolean) => c.frames.findIndex(pred);
  expect(at((f) => f === res)).toBeLessThan(at((f) => f.type === "event" && f.event === "agent"));
  expect(at((f) => f === final)).toBeGreaterThan(c.frames.lastIndexOf(c.frames.filter((f) => f.event === "agent").at(-1)));
  // the same key again: no second run, the outcome once the first has ended
  const again = await c.request("agent", { message: "go", idempotencyKey: "key-1" });
  expect(again.payload.runId).toBe("key-1");
  await c.until(() => c.frames.filter((f) => f.type === "res" && f.id === again.id).length === 2, "the deduplicated agent's outcome");
  expect(c.events("agent", "key-1")).toHaveLength(evs.length);
  c.close();
});

test("agent answers accepted at once and agent.wait returns the run's end", async () => {
  const c = await connected();
  const res = await c.request("agent", { message: "go", idempotencyKey: "a1" });
  expect(res.payload).toMatchObject({ status: "accepted", runId: "a1" });
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
  const patched = await c.request("sessions.patch", { key: "main", label: "my chat" });
  expect(patched.payload.entry.title).toBe("my chat");
  const unsupported = await c.request("sessions.patch", { key: "main", model: "x/y" });
  expect(unsupported.error.code).toBe("INVALID_REQUEST");
  expect(unsupported.error.message).toContain("not supported: model");
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

test("sessions.changed reaches the OpenClaw clients that subscribed (with read scope): a message from any source, reset, delete", async () => {
  const watcher = await connected();
  expect((await watcher.request("sessions.subscribe", {})).payload).toEqual({ subscribed: true });
  const url = `ws://127.0.0.1:${srv!.port}/`;
  const other = await ocConnect(url);
  await other.connect({ token: TOKEN });
  const blind = await ocConnect(url);
  await blind.connect({ token: TOKEN }, { scopes: ["operator.unknown"] });
  expect((await blind.request("sessions.subscribe", {})).ok).toBe(false); // needs read
  const sent = await other.request("chat.send", { sessionKey: "watched", message: "hi", idempotencyKey: "w1" });
  await other.until(() => other.events("chat", sent.payload.runId).find((e) => e.state === "final"), "the final");
  await watcher.until(() => watcher.events("sessions.changed").find((e) => e.reason === "message"), "sessions.changed for the message");
  // a run started over JSON-RPC counts too
  await h!.rpc("chat.send", { sessionKey: "agent:main:rpc", text: "x" });
  await watcher.until(() => watcher.events("sessions.changed").find((e) => e.sessionKey === "agent:main:rpc"), "sessions.changed for the JSON-RPC run");
  await other.request("sessions.reset", { key: "watched" });
  await other.request("sessions.delete", { key: "watched" });
  await watcher.until(() => watcher.events("sessions.changed").find((e) => e.reason === "delete"), "sessions.changed for the delete");
  expect(watcher.events("sessions.changed").filter((e) => e.sessionKey === "agent:main:watched").map((e) => e.reason)).toEqual(["message", "reset", "delete"]);
  expect(blind.events("sessions.changed")).toEqual([]);
  // a client that never subscribed hears nothing, and one that unsubscribes stops hearing
  expect(other.events("sessions.changed")).toEqual([]);
  expect((await watcher.request("sessions.unsubscribe", {})).payload).toEqual({ subscribed: false });
  const seen = watcher.events("sessions.changed").length;
  await h!.rpc("sessions.reset", { sessionKey: "agent:main:after" });
  await other.request("health"); // a round trip after the reset: an announcement would have arrived by now
  await watcher.request("health");
  expect(watcher.events("sessions.changed").length).toBe(seen);
  for (const c of [watcher, other, blind]) c.close();
});

test("sessions.changed is announced for a reset and a delete through JSON-RPC (what the CLI and the dashboard use), once each", async () => {
  const watcher = await connected();
  await watcher.request("sessions.subscribe", {});
  await h!.rpc("chat.send", { sessionKey: "agent:main:byrpc", text: "x" });
  await watcher.until(() => watcher.events("sessions.changed").find((e) => e.sessionKey === "agent:main:byrpc"), "sessions.changed for the run");
  await h!.rpc("sessions.reset", { sessionKey: "agent:main:byrpc" });
  await watcher.until(() => watcher.events("sessions.changed").find((e) => e.reason === "reset"), "sessions.changed for the JSON-RPC reset");
  expect((await h!.rpc("sessions.delete", { sessionKey: "agent:main:byrpc" })).result).toEqual({ deleted: true });
  await watcher.until(() => watcher.events("sessions.changed").find((e) => e.reason === "delete"), "sessions.changed for the JSON-RPC delete");
  // deleting it again finds nothing: no announcement
  expect((await h!.rpc("sessions.delete", { sessionKey: "agent:main:byrpc" })).result).toEqual({ deleted: false });
  await h!.rpc("sessions.reset", { sessionKey: "agent:main:other" });
  await watcher.until(() => watcher.events("sessions.changed").find((e) => e.sessionKey === "agent:main:other"), "the next announcement");
  expect(watcher.events("sessions.changed").filter((e) => e.sessionKey === "agent:main:byrpc").map((e) => e.reason)).toEqual(["message", "reset", "delete"]);
  watcher.close();
});

