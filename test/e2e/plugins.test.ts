// e2e: the compiled binary loads plugins from disk — it re-executes itself as each plugin's runner
// (under bwrap), imports the plugin's TypeScript, and serves its command and its tool.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import type { GatewayChild } from "../gateway/process.ts";
import type { WsClient } from "../gateway/helpers.ts";
import { fixture } from "../plugins/helpers.ts";
import { TOKEN, connectAuthed, rpc, startBinaryGateway, stopGateway } from "./binary-gateway.ts";

let fake: FakeAnthropic;
let gw: GatewayChild;
let ws: WsClient;

beforeAll(async () => {
  fake = await startFakeAnthropic({ fallback: "echo" });
  gw = await startBinaryGateway({
    gateway: { auth: { token: TOKEN } },
    models: { providers: { anthropic: { baseUrl: fake.url, apiKey: "sk-ant-e2e-" + "p".repeat(24) } } },
    agents: { defaults: { model: "anthropic/claude-e2e", sandbox: { level: "off" } } },
    plugins: { load: { paths: [fixture("tool"), fixture("command")] } },
  });
  ws = await connectAuthed(gw);
}, 300_000);

afterAll(async () => {
  ws?.close();
  if (gw) expect(await stopGateway(gw)).toBe(0);
  await fake.stop();
});

describe("compiled binary: plugins", () => {
  test("plugins.list: both plugins running, each in its own process", async () => {
    const list = (await rpc(gw, "plugins.list")).result.plugins as { id: string; state: string; pid?: number; tools: string[]; commands: string[] }[];
    expect(list.map((p) => [p.id, p.state])).toEqual([["tool", "running"], ["command", "running"]]);
    expect(list[0]!.tools).toEqual(["add_numbers"]);
    expect(list[1]!.commands).toEqual(["echo"]);
    expect(new Set(list.map((p) => p.pid)).size).toBe(2);
  });

  test("a plugin command answers chat.send without a model call", async () => {
    const before = fake.requests.length;
    const r = (await ws.call("chat.send", { sessionKey: "agent:main:e2e-plugins", text: "/echo compiled" })).result;
    await ws.until(() => ws.events(r.runId).some((e) => e.type === "final"), 15_000, "the command's final");
    expect(ws.events(r.runId).find((e) => e.type === "final")).toMatchObject({ outcome: "ok", text: "echo(gateway): compiled" });
    expect(fake.requests.length).toBe(before);
  });

  test("the model uses a plugin tool in a turn", async () => {
    fake.enqueue(reply.toolUse("add_numbers", { a: 40, b: 2 }, { id: "toolu_e2e" }), reply.text("42 it is"));
    const r = (await ws.call("chat.send", { sessionKey: "agent:main:e2e-plugins-tool", text: "add" })).result;
    await ws.until(() => ws.events(r.runId).some((e) => e.type === "final"), 15_000, "the turn's final");
    expect(ws.events(r.runId).find((e) => e.type === "tool_result")).toMatchObject({ name: "add_numbers", isError: false });
    expect(JSON.stringify(fake.requests.at(-1)!.body)).toContain("sum=42 (call toolu_e2e)");
  });
});
