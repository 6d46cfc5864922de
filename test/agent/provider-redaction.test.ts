// A provider error body that echoes the API key: the key never reaches the stored run_finished
// reason, the `error` / `final` events or the response (real providers against the fake servers).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AgentRuntime } from "../../src/agent/runtime.ts";
import { unavailableExecutor } from "../../src/agent/tool-executor.ts";
import { ApiKey } from "../../src/core/secrets.ts";
import { AnthropicProvider } from "../../src/providers/anthropic.ts";
import { OpenAICompatibleProvider } from "../../src/providers/openai-compatible.ts";
import type { Provider } from "../../src/providers/types.ts";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { oai, startFakeOpenAI, type FakeOpenAI } from "../fakes/openai.ts";
import { allEvents } from "./helpers.ts";

// no `sk-` prefix: only the provider's own key (not a token pattern) can mask it
const OAI_KEY = "local-gw-key-7f3a9c21d4e8b6a0";
const ANT_KEY = "sk-ant-echo-0123456789abcdefXYZ";
let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
beforeAll(async () => {
  openai = await startFakeOpenAI();
  anthropic = await startFakeAnthropic();
});
afterAll(async () => {
  await openai.stop();
  await anthropic.stop();
});

async function runAndCollect(provider: Provider, key: string) {
  const rt = new AgentRuntime(provider, { model: "m" }).withSandbox(unavailableExecutor({ level: "off" }, "none"));
  const seen: unknown[] = [];
  rt.onEvent((e) => seen.push(e));
  const res = await rt.processMessage("s", "hi");
  const stored = await allEvents(rt.store, "s");
  const finished = stored.find((e) => e.data.type === "run_finished")!;
  const wire = JSON.stringify({ res, seen, stored });
  return { res, finished, wire, key };
}

describe("provider errors are redacted where they leave the provider", () => {
  test("OpenAI-compatible: a 401 body echoing the bearer token", async () => {
    openai.enqueue((req) => oai.error(401, `Incorrect API key provided: ${req.headers.authorization}`));
    const p = new OpenAICompatibleProvider({ id: "local", baseUrl: `${openai.url}/v1`, apiKey: new ApiKey(OAI_KEY), maxRetries: 0 });
    const { res, finished, wire } = await runAndCollect(p, OAI_KEY);
    expect(res.outcome).toBe("error");
    expect(finished.data).toMatchObject({ outcome: "error" });
    expect(wire).toContain("Incorrect API key provided");
    expect(wire).not.toContain(OAI_KEY);
    expect(wire).not.toContain(OAI_KEY.slice(0, 16));
  });

  test("OpenAI-compatible: an error event inside the stream echoing the key", async () => {
    openai.enqueue(oai.text("partial", { streamError: { message: `quota exceeded for key ${OAI_KEY}`, code: 400 } }));
    const p = new OpenAICompatibleProvider({ id: "local", baseUrl: `${openai.url}/v1`, apiKey: new ApiKey(OAI_KEY), maxRetries: 0 });
    const { res, wire } = await runAndCollect(p, OAI_KEY);
    expect(res.outcome).toBe("error");
    expect(wire).toContain("quota exceeded for key");
    expect(wire).not.toContain(OAI_KEY);
  });

  test("Anthropic: a 400 body echoing the key", async () => {
    anthropic.enqueue(() => reply.error(400, "invalid_request_error", `bad key ${ANT_KEY} for this workspace`));
    const p = new AnthropicProvider({ apiKey: new ApiKey(ANT_KEY), baseURL: anthropic.url, maxRetries: 0 });
    const { res, finished, wire } = await runAndCollect(p, ANT_KEY);
    expect(res.outcome).toBe("error");
    expect(finished.data).toMatchObject({ outcome: "error" });
    expect(wire).toContain("for this workspace");
    expect(wire).not.toContain(ANT_KEY);
  });
});
