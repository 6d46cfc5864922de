// ANTHROPIC_BASE_URL (read by config loading, never by the provider): honoured, the file's
// models.providers.anthropic.baseUrl wins over it, a bad value is a ConfigError naming the
// variable; and a connection failure names the host the provider tried.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer } from "node:net";
import { ConfigError } from "../../src/core/errors.ts";
import { ApiKey } from "../../src/core/secrets.ts";
import { resolveDocument } from "../../src/config/load.ts";
import { AnthropicProvider } from "../../src/providers/anthropic.ts";
import { OpenAICompatibleProvider } from "../../src/providers/openai-compatible.ts";
import { createModelRouter } from "../../src/providers/registry.ts";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { collect, fakeSleep, request, stopOf, textOfEvents } from "./helpers.ts";

const KEY = "sk-ant-baseurl-0123456789abcdef";
let envFake: FakeAnthropic;
let fileFake: FakeAnthropic;
beforeAll(async () => {
  envFake = await startFakeAnthropic();
  fileFake = await startFakeAnthropic();
});
afterAll(async () => {
  await envFake.stop();
  await fileFake.stop();
});

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const retry = { sleep: fakeSleep().sleep, random: () => 0.5 };

describe("ANTHROPIC_BASE_URL", () => {
  test("used when the config names no baseUrl", async () => {
    envFake.enqueue(reply.text("from the env url"));
    const { config } = resolveDocument({}, "test", { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: envFake.url });
    expect(config.models.providers.anthropic?.baseUrl).toBe(envFake.url);
    const events = await collect(createModelRouter(config, { retry }).stream(request("hi", { model: "" })));
    expect(textOfEvents(events)).toBe("from the env url");
    expect(envFake.bodies().length).toBe(1);
  });

  test("the config file's baseUrl wins over it", async () => {
    fileFake.enqueue(reply.text("from the file url"));
    const before = envFake.bodies().length;
    const doc = { models: { providers: { anthropic: { baseUrl: fileFake.url } } } };
    const { config } = resolveDocument(doc, "test", { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: envFake.url });
    const events = await collect(createModelRouter(config, { retry }).stream(request("hi", { model: "" })));
    expect(textOfEvents(events)).toBe("from the file url");
    expect(envFake.bodies().length).toBe(before);
  });

  test("a value that is not an http(s) URL is a ConfigError naming the variable", () => {
    const run = () => resolveDocument({}, "test", { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: "api.example.com" });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/ANTHROPIC_BASE_URL/);
  });
});

describe("connection errors name the host", () => {
  test("Anthropic", async () => {
    const port = await closedPort();
    const p = new AnthropicProvider({ apiKey: new ApiKey(KEY), baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 });
    const stop = stopOf(await collect(p.stream(request("hi"))));
    expect(stop.error?.kind).toBe("connection");
    expect(stop.error?.message).toContain(`127.0.0.1:${port}`);
  });

  test("OpenAI-compatible", async () => {
    const port = await closedPort();
    const p = new OpenAICompatibleProvider({ id: "local", baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    const stop = stopOf(await collect(p.stream(request("hi", { model: "m" }))));
    expect(stop.error?.kind).toBe("connection");
    expect(stop.error?.message).toContain(`127.0.0.1:${port}`);
  });
});
