// e2e: the compiled binary loads plugins from disk — it re-executes itself as each plugin's runner
// (under bwrap), imports the plugin's TypeScript, and serves its command and its tool.
import { describe, expect, test } from "bun:test";
import { reply } from "../fakes/anthropic.ts";
import { fixture } from "../plugins/helpers.ts";
import { TOKEN, rpc, useBinaryGateway } from "./binary-gateway.ts";

const rig = useBinaryGateway((fakeUrl) => ({
  gateway: { auth: { token: TOKEN } },
  models: { providers: { anthropic: { baseUrl: fakeUrl, apiKey: "sk-ant-e2e-" + "p".repeat(24) } } },
  agents: { defaults: { model: "anthropic/claude-e2e", sandbox: { level: "off" } } },
  plugins: { load: { paths: [fixture("tool"), fixture("command")] } },
}));

describe("compiled binary: plugins", () => {
  test("plugins.list: both plugins running, each in its own process", async () => {
    const list = (await rpc(rig.gw, "plugins.list")).result.plugins as { id: string; state: string; pid?: number; tools: string[]; commands: string[] }[];
    expect(list.map((p) => [p.id, p.state])).toEqual([["tool", "running"], ["command", "running"]]);
    expect(list[0]!.tools).toEqual(["add_numbers"]);
    expect(list[1]!.commands).toEqual(["echo"]);
    expect(new Set(list.map((p) => p.pid)).size).toBe(2);
  });

  test("a plugin command answers chat.send without a model call", async () => {
    const before = rig.fake.requests.length;
    const r = (await rig.ws.call("chat.send", { sessionKey: "agent:main:e2e-plugins", text: "/echo compiled" })).result;
    await rig.ws.until(() => rig.ws.events(r.runId).some((e) => e.type === "final"), 15_000, "the command's final");
    expect(rig.ws.events(r.runId).find((e) => e.type === "final")).toMatchObject({ outcome: "ok", text: "echo(gateway): compiled" });
    expect(rig.fake.requests.length).toBe(before);
  });

  test("the model uses a plugin tool in a turn", async () => {
    rig.fake.enqueue(reply.toolUse("add_numbers", { a: 40, b: 2 }, { id: "toolu_e2e" }), reply.text("42 it is"));
    const r = (await rig.ws.call("chat.send", { sessionKey: "agent:main:e2e-plugins-tool", text: "add" })).result;
    await rig.ws.until(() => rig.ws.events(r.runId).some((e) => e.type === "final"), 15_000, "the turn's final");
    expect(rig.ws.events(r.runId).find((e) => e.type === "tool_result")).toMatchObject({ name: "add_numbers", isError: false });
    expect(JSON.stringify(rig.fake.requests.at(-1)!.body)).toContain("sum=42 (call toolu_e2e)");
  });
});
