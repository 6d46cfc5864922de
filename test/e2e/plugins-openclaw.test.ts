// e2e: OpenClaw plugins, unchanged, in the compiled binary. Their `openclaw/plugin-sdk/*` imports
// resolve to the shim inside the binary's runner (no node_modules, no tsconfig). The ESM
// definePluginEntry plugin serves a tool and rewrites the final reply (message_sending); the
// CommonJS plugin serves a chat command.
import { describe, expect, test } from "bun:test";
import { reply } from "../fakes/anthropic.ts";
import { fixture } from "../plugins/helpers.ts";
import { TOKEN, rpc, useBinaryGateway } from "./binary-gateway.ts";

const rig = useBinaryGateway((fakeUrl) => ({
  gateway: { auth: { token: TOKEN } },
  models: { providers: { anthropic: { baseUrl: fakeUrl, apiKey: "sk-ant-e2e-" + "q".repeat(24) } } },
  agents: { defaults: { model: "anthropic/claude-e2e", sandbox: { level: "off" } } },
  plugins: { load: { paths: [fixture("openclaw-entry"), fixture("openclaw-cjs")] } },
}));

describe("compiled binary: OpenClaw plugins", () => {
  test("both load through the shim", async () => {
    const list = (await rpc(rig.gw, "plugins.list")).result.plugins as { id: string; state: string; tools: string[]; commands: string[] }[];
    expect(list.map((p) => [p.id, p.state, p.tools, p.commands])).toEqual([["openclaw-entry", "running", ["shout"], []], ["openclaw-cjs", "running", [], ["cjs"]]]);
  });

  test("a CommonJS plugin's command answers chat.send", async () => {
    const r = (await rig.ws.call("chat.send", { sessionKey: "agent:main:e2e-oc-cmd", text: "/cjs" })).result;
    await rig.ws.until(() => rig.ws.events(r.runId).some((e) => e.type === "final"), 15_000, "the command's final");
    expect(rig.ws.events(r.runId).find((e) => e.type === "final")).toMatchObject({ outcome: "ok", text: "cjs says hi" });
  });

  test("the model uses the plugin's tool, and message_sending rewrites the reply", async () => {
    rig.fake.enqueue(reply.toolUse("shout", { text: "compiled" }, { id: "toolu_oc" }), reply.text("done"));
    const r = (await rig.ws.call("chat.send", { sessionKey: "agent:main:e2e-oc-tool", text: "shout it" })).result;
    await rig.ws.until(() => rig.ws.events(r.runId).some((e) => e.type === "final"), 15_000, "the turn's final");
    expect(rig.ws.events(r.runId).find((e) => e.type === "tool_result")).toMatchObject({ name: "shout", isError: false });
    expect(JSON.stringify(rig.fake.requests.at(-1)!.body)).toContain("COMPILED");
    expect(rig.ws.events(r.runId).find((e) => e.type === "final")).toMatchObject({ outcome: "ok", text: "done!" });
  });
});
