// e2e: the compiled binary `dist/openclaw gateway run` serves full turns (a tool call through the
// sandbox, then the answer) against the fake Anthropic server running as its own process, over
// WebSocket JSON-RPC and over the OpenAI-compatible endpoint.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { TOKEN, WsClient } from "../gateway/helpers.ts";
import { ROOT, spawnGateway, tempState, type GatewayChild } from "../gateway/process.ts";
import { freshBinary } from "./fresh-binary.ts";

const BIN = join(ROOT, "dist", "openclaw");
let fakeProc: Bun.Subprocess<"ignore", "pipe", "pipe">;
let fakeUrl = "";
let gw: GatewayChild;

beforeAll(async () => {
  freshBinary();
  fakeProc = Bun.spawn([process.execPath, join(ROOT, "test/fakes/anthropic.ts"), "--port", "0"], { cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const dec = new TextDecoder();
  let out = "";
  for await (const chunk of fakeProc.stdout) {
    out += dec.decode(chunk);
    const m = /FAKE_ANTHROPIC_URL=(\S+)/.exec(out);
    if (m) {
      fakeUrl = m[1]!;
      break;
    }
  }
  if (!fakeUrl) throw new Error(`fake anthropic did not start: ${out}`);
  const level = "standard"; // bwrap is a test requirement (build/ensure-system.ts); never fall back to off
  const st = tempState({
    gateway: { auth: { token: TOKEN } },
    models: { providers: { anthropic: { baseUrl: fakeUrl, apiKey: "sk-ant-e2e-" + "k".repeat(24) } } },
    agents: { defaults: { model: "anthropic/claude-e2e", sandbox: { level } } },
  });
  gw = await spawnGateway({ ...st, cmd: [BIN] }).started;
}, 120_000);

afterAll(async () => {
  gw?.proc.kill("SIGTERM");
  if (gw) expect(await gw.exited).toBe(0);
  fakeProc?.kill("SIGTERM");
});

const enqueue = (body: unknown) => fetch(`${fakeUrl}/_fake/enqueue`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("compiled binary: gateway run", () => {
  test("probes", async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const ready = await (await fetch(`${gw.url}/readyz`)).json();
    expect(ready.ready).toBe(true);
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
  });

  test("errors carry their class name as type (the minified binary keeps names)", async () => {
    const res = await fetch(`${gw.url}/rpc`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "sessions.get", params: { sessionKey: "agent:main:nope" } }),
    });
    const body = await res.json();
    expect(body.error.code).toBe(-32003);
    expect(body.error.data.type).toBe("NotFoundError");
  });

  test("a full turn over WebSocket: tool call in the sandbox, then the answer", async () => {
    await enqueue([
      { kind: "message", blocks: [{ type: "tool_use", id: "toolu_e2e_1", name: "exec", input: { command: "echo sandboxed-$((6*7))" } }], stopReason: "tool_use" },
      { kind: "message", blocks: [{ type: "text", text: "The command printed sandboxed-42." }] },
    ]);
    const c = await WsClient.connect(`${gw.url.replace("http", "ws")}/ws`);
    expect((await c.call("auth", { token: TOKEN })).result.ok).toBe(true);
    const r = (await c.call("chat.send", { sessionKey: "agent:main:e2e", text: "run the command" })).result;
    await c.until(() => c.events(r.runId).some((e) => e.type === "final"), 30_000);
    const evs = c.events(r.runId);
    expect(evs.find((e) => e.type === "tool_call")).toMatchObject({ name: "exec" });
    const result = evs.find((e) => e.type === "tool_result");
    expect(result.isError).toBe(false);
    expect(result.output).toContain("sandboxed-42");
    expect(evs.find((e) => e.type === "final")).toMatchObject({ outcome: "ok", text: "The command printed sandboxed-42." });
    const hist = (await c.call("chat.history", { sessionKey: "agent:main:e2e" })).result.entries;
    expect(hist.map((e: any) => e.kind)).toEqual(["message", "run_started", "message", "tool_result", "message", "run_finished"]);
    expect(hist.at(-1).outcome).toBe("ok");
    expect(hist.filter((e: any) => e.kind === "message").map((e: any) => e.role)).toEqual(["user", "assistant", "assistant"]);
    c.close();
  }, 60_000);

  test("a full turn over the OpenAI-compatible endpoint", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "echo this back" }] }),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.choices[0].message.content).toContain("echo this back");
  }, 60_000);
});
