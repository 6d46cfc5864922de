// OpenClaw-style plugins through the real host: each in its own sandboxed runner process, the
// shim inside it, the host's dispatcher outside. What the in-process tests show must survive
// the process boundary and the JSON-RPC frames.
import { afterEach, describe, expect, test } from "bun:test";
import type { ToolContext } from "../../src/tools/types.ts";
import { toolContext } from "../tools/helpers.ts";
import { startHost, waitForPlugin, type TestHost } from "./helpers.ts";

let h: TestHost | undefined;
afterEach(async () => {
  await h?.host.stop();
  h = undefined;
});

const call = { sessionKey: "agent:main:main", runId: "run_1", toolCallId: "call_1" };

describe("OpenClaw plugins in the plugin process", () => {
  test("hooks, tools and a refusal, across the process boundary", async () => {
    // an injected sleep: the refused plugin's restarts take no wall-clock time
    h = await startHost(["openclaw-object", "openclaw-entry", "openclaw-unsupported"], { host: { sleep: async () => {}, random: () => 0, restart: { baseMs: 1, maxMs: 1, maxCrashes: 2 } } });
    const refused = await waitForPlugin(h.host, "openclaw-unsupported", (x) => x.state === "disabled");
    expect(refused.reason).toContain("not supported by this runtime: api.registerHttpRoute");
    const byId = Object.fromEntries(h.host.list().map((p) => [p.id, p]));
    expect(byId["openclaw-object"]).toMatchObject({ state: "running", tools: ["seen"] });
    expect(byId["openclaw-entry"]).toMatchObject({ state: "running", tools: ["shout"] });

    const d = h.target.hooks;
    expect(await d.decide("BeforeToolCall", { ...call, name: "exec", input: { command: "ls" } })).toMatchObject({ blocked: true, reason: "no shell from openclaw-object" });
    expect(await d.decide("BeforeToolCall", { ...call, name: "read", input: { path: "a" } })).toMatchObject({ blocked: false, payload: { input: { path: "a", audited: true } } });
    expect(await d.decide("AgentResponse", { sessionKey: "s", runId: "r", text: "darn", outcome: "ok" })).toMatchObject({ blocked: false, payload: { text: "d*rn!" } });
    expect(await d.decide("AgentResponse", { sessionKey: "s", runId: "r", text: "a secret", outcome: "ok" })).toMatchObject({ blocked: true, reason: "would leak a secret" });

    const shout = await h.target.tools.get("shout")!.run({ text: "hey" }, toolContext() as ToolContext);
    expect(shout).toEqual({ content: [{ type: "text", text: '{\n  "shouted": "HEY"\n}' }], isError: false });
  });
});
