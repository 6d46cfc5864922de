// e2e: two agents from OpenClaw's `agents.list` (ids main and work, each with its own model) on the
// compiled binary. chat.send with agentId "work" reaches the fake Anthropic API with work's model,
// one without an agentId with main's; an unknown agentId is refused naming both configured agents.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { WsClient } from "../gateway/helpers.ts";
import type { GatewayChild } from "../gateway/process.ts";
import { TOKEN, connectAuthed, startBinaryGateway, stopGateway } from "./binary-gateway.ts";

let fake: FakeAnthropic;
let gw: GatewayChild;
let ws: WsClient;

beforeAll(async () => {
  fake = await startFakeAnthropic({ fallback: "echo" });
  gw = await startBinaryGateway({
    gateway: { auth: { token: TOKEN } },
    models: { providers: { anthropic: { baseUrl: fake.url, apiKey: "sk-ant-e2e-agents-" + "a".repeat(24) } } },
    agents: {
      defaults: { model: "anthropic/claude-defaults-e2e", sandbox: { level: "off" } },
      list: [
        { id: "main", model: "anthropic/claude-main-e2e" },
        { id: "work", model: "anthropic/claude-work-e2e" },
      ],
    },
  });
  ws = await connectAuthed(gw);
}, 120_000);

afterAll(async () => {
  ws?.close();
  if (gw) expect(await stopGateway(gw)).toBe(0);
  await fake?.stop();
});

/** chat.send, the final event, and the model the fake API was asked for. */
async function sendAndModel(params: Record<string, unknown>): Promise<{ final: { outcome: string; text: string }; model: string }> {
  const before = fake.bodies().length;
  const r = (await ws.call("chat.send", params)).result;
  expect(r?.runId).toBeString();
  await ws.until(() => ws.events(r.runId).some((e) => e.type === "final"), 30_000, `the final event of ${JSON.stringify(params)}`);
  const bodies = fake.bodies().slice(before);
  expect(bodies).toHaveLength(1);
  return { final: ws.events(r.runId).find((e) => e.type === "final"), model: bodies[0].model };
}

describe("compiled binary: several agents", () => {
  test('agentId "work" runs on work\'s model; no agentId runs main\'s', async () => {
    const work = await sendAndModel({ agentId: "work", sessionKey: "agent:work:e2e", text: "hello work" });
    expect(work.model).toBe("claude-work-e2e");
    expect(work.final).toMatchObject({ outcome: "ok", text: "hello work" });
    const main = await sendAndModel({ sessionKey: "agent:main:e2e", text: "hello main" });
    expect(main.model).toBe("claude-main-e2e");
    expect(main.final).toMatchObject({ outcome: "ok", text: "hello main" });
  }, 60_000);

  test("an unknown agentId is refused with the configured agents, and nothing reaches the model", async () => {
    const before = fake.bodies().length;
    const res = await ws.call("chat.send", { agentId: "nope", text: "hello?" });
    expect(res.result).toBeUndefined();
    expect(res.error.code).toBe(-32602);
    expect(res.error.data.type).toBe("UnknownAgentError");
    expect(res.error.message).toContain('unknown agent "nope"');
    expect(res.error.message).toContain("main, work");
    expect(res.error.data.details.known).toEqual(["main", "work"]);
    // a session key naming an agent that is not configured is refused the same way
    const byKey = await ws.call("chat.send", { sessionKey: "agent:nope:e2e", text: "hello?" });
    expect(byKey.error).toMatchObject({ code: -32602, data: { type: "UnknownAgentError" } });
    expect(byKey.error.message).toContain("main, work");
    expect(fake.bodies().length).toBe(before);
  });
});
