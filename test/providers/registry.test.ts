import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/core/errors.ts";
import { ConfigSchema, type ConfigInput } from "../../src/config/schema.ts";
import { AnthropicProvider } from "../../src/providers/anthropic.ts";
import { OpenAICompatibleProvider } from "../../src/providers/openai-compatible.ts";
import {
  createModelRouter,
  createProvider,
  DEFAULT_MODEL_REF,
  MissingApiKeyError,
  missingKeyMessage,
  modelSelection,
  parseModelRef,
} from "../../src/providers/registry.ts";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { oai, startFakeOpenAI, type FakeOpenAI } from "../fakes/openai.ts";
import { collect, fakeSleep, ofType, request, stopOf, textOfEvents } from "./helpers.ts";

const KEY = "sk-ant-registry-0123456789abcdef";
const cfg = (input: ConfigInput) => ConfigSchema.parse(input);

describe("model refs and selection", () => {
  test("parseModelRef splits at the first slash; bare ids take the default provider", () => {
    expect(parseModelRef("anthropic/claude-sonnet-4-5")).toEqual({ provider: "anthropic", model: "claude-sonnet-4-5" });
    expect(parseModelRef("openrouter/meta-llama/llama-3.1-8b")).toEqual({ provider: "openrouter", model: "meta-llama/llama-3.1-8b" });
    expect(parseModelRef("llama3.2", "ollama")).toEqual({ provider: "ollama", model: "llama3.2" });
    expect(() => parseModelRef("")).toThrow(ConfigError);
    expect(() => parseModelRef("anthropic/")).toThrow(/provider\/model/);
  });

  test("agents.defaults.model as a string, as {primary, fallbacks}, per agent, and the default", () => {
    expect(modelSelection(cfg({}))).toEqual({ primary: DEFAULT_MODEL_REF, fallbacks: [] });
    expect(DEFAULT_MODEL_REF).toBe("anthropic/claude-sonnet-4-5");
    expect(modelSelection(cfg({ agents: { defaults: { model: "ollama/qwen3" } } }))).toEqual({ primary: "ollama/qwen3", fallbacks: [] });
    const c = cfg({ agents: { defaults: { model: { primary: "anthropic/claude-opus-4-5", fallbacks: ["openrouter/x/y"] } }, entries: { work: { model: "ollama/a" } } } });
    expect(modelSelection(c)).toEqual({ primary: "anthropic/claude-opus-4-5", fallbacks: ["openrouter/x/y"] });
    expect(modelSelection(c, "work")).toEqual({ primary: "ollama/a", fallbacks: [] });
  });
});

describe("createProvider", () => {
  test("the missing-key message names the env var and the config key", () => {
    expect(missingKeyMessage("anthropic")).toBe(
      "no API key for provider anthropic: set ANTHROPIC_API_KEY or models.providers.anthropic.apiKey in ~/.openclaw/openclaw.json",
    );
    expect(missingKeyMessage("openrouter")).toContain("models.providers.openrouter.apiKey");
    expect(() => createProvider(cfg({}), "anthropic")).toThrow(MissingApiKeyError);
    expect(() => createProvider(cfg({}), "openai")).toThrow(/models\.providers\.openai\.apiKey/);
  });

  test("built-in defaults: anthropic on the SDK, ollama keyless on chat completions", () => {
    const c = cfg({ models: { providers: { anthropic: { apiKey: KEY } } } });
    expect(createProvider(c, "anthropic")).toBeInstanceOf(AnthropicProvider);
    const ollama = createProvider(c, "ollama");
    expect(ollama).toBeInstanceOf(OpenAICompatibleProvider);
    expect(ollama.id).toBe("ollama");
  });

  test("unknown provider: the error names the known ones; a custom one needs a baseUrl", () => {
    const c = cfg({ models: { providers: { mylab: { baseUrl: "http://127.0.0.1:9/v1" }, broken: { api: "openai-completions" } } } });
    expect(() => createProvider(c, "nope")).toThrow(/unknown provider "nope": known providers are .*anthropic.*mylab.*ollama/);
    expect(createProvider(c, "mylab")).toBeInstanceOf(OpenAICompatibleProvider);
    expect(() => createProvider(c, "broken")).toThrow(/models\.providers\.broken\.baseUrl is required/);
  });
});

describe("createModelRouter", () => {
  let ant: FakeAnthropic;
  let oaiFake: FakeOpenAI;
  beforeAll(async () => {
    [ant, oaiFake] = await Promise.all([startFakeAnthropic(), startFakeOpenAI()]);
  });
  afterAll(() => Promise.all([ant.stop(), oaiFake.stop()]));
  afterEach(() => {
    ant.requests.length = 0;
    oaiFake.requests.length = 0;
    expect(ant.pending() + oaiFake.pending()).toBe(0);
  });

  function router(model: string | { primary: string; fallbacks: string[] }, withKey = true) {
    const clock = fakeSleep();
    const c = cfg({
      agents: { defaults: { model } },
      models: {
        providers: {
          anthropic: { baseUrl: ant.url, maxRetries: 1, ...(withKey ? { apiKey: KEY } : {}) },
          ollama: { baseUrl: `${oaiFake.url}/v1`, maxRetries: 0 },
        },
      },
    });
    return { r: createModelRouter(c, { retry: { sleep: clock.sleep } }), delays: clock.delays };
  }

  test("empty model = the primary; the provider gets the bare model id", async () => {
    ant.enqueue(reply.text("from claude"));
    const { r } = router("anthropic/claude-opus-4-5");
    expect(r.defaultModel).toBe("anthropic/claude-opus-4-5");
    const events = await collect(r.stream(request("hi", { model: "" })));
    expect(textOfEvents(events)).toBe("from claude");
    expect(ant.bodies()[0].model).toBe("claude-opus-4-5");
  });

  test("a retryable failure (after the provider's retries) falls back before any output", async () => {
    ant.enqueue(reply.overloaded(), reply.overloaded());
    oaiFake.enqueue(oai.text("from the fallback"));
    const { r, delays } = router({ primary: "anthropic/claude-sonnet-4-5", fallbacks: ["ollama/qwen3"] });
    const events = await collect(r.stream(request("hi", { model: "" })));
    expect(ant.requests).toHaveLength(2); // 1 + maxRetries 1
    expect(delays).toHaveLength(1);
    expect(oaiFake.bodies()[0].model).toBe("qwen3");
    expect(textOfEvents(events)).toBe("from the fallback");
    expect(ofType(events, "start")).toHaveLength(1);
    expect(stopOf(events).stopReason).toBe("end_turn");
  });

  test("no fallback once output was yielded, nor after a 400", async () => {
    ant.enqueue(reply.streamError("overloaded_error", "half an answer"));
    const { r } = router({ primary: "anthropic/claude-sonnet-4-5", fallbacks: ["ollama/qwen3"] });
    const a = await collect(r.stream(request("hi", { model: "" })));
    expect(textOfEvents(a)).toBe("half an answer");
    expect(stopOf(a).error).toMatchObject({ kind: "overloaded" });
    ant.enqueue(reply.badRequest("prompt is too long"));
    const b = stopOf(await collect(r.stream(request("hi", { model: "" }))));
    expect(b.error).toMatchObject({ kind: "invalid_request", status: 400 });
    expect(oaiFake.requests).toHaveLength(0);
  });

  test("every model failing gives one error naming each attempt", async () => {
    ant.enqueue(reply.serverError(), reply.serverError());
    oaiFake.enqueue(oai.serverError(503));
    const { r } = router({ primary: "anthropic/claude-sonnet-4-5", fallbacks: ["ollama/qwen3"] });
    const stop = stopOf(await collect(r.stream(request("hi", { model: "" }))));
    expect(stop.error!.message).toMatch(/^all models failed: anthropic\/claude-sonnet-4-5: .*HTTP 500.*; ollama\/qwen3: .*HTTP 503/);
  });

  test("missing key: a clear failure, and the next fallback is used", async () => {
    const { r } = router("anthropic/claude-sonnet-4-5", false);
    const events = await collect(r.stream(request("hi", { model: "" })));
    expect(events).toHaveLength(1);
    expect(stopOf(events).error).toEqual({ kind: "auth", message: missingKeyMessage("anthropic"), retryable: false });
    expect(() => r.resolve("anthropic/claude-sonnet-4-5")).toThrow(missingKeyMessage("anthropic"));

    oaiFake.enqueue(oai.text("local model answered"));
    const withFallback = router({ primary: "anthropic/claude-sonnet-4-5", fallbacks: ["ollama/qwen3"] }, false).r;
    expect(textOfEvents(await collect(withFallback.stream(request("hi", { model: "" }))))).toBe("local model answered");
    expect(ant.requests).toHaveLength(0);
  });

  test("an explicit other ref runs that model only; an unknown provider is a clear error", async () => {
    oaiFake.enqueue(oai.text("llama here"));
    const { r } = router({ primary: "anthropic/claude-sonnet-4-5", fallbacks: ["ollama/qwen3"] });
    expect(textOfEvents(await collect(r.stream(request("hi", { model: "ollama/llama3.2" }))))).toBe("llama here");
    expect(oaiFake.bodies()[0].model).toBe("llama3.2");
    const stop = stopOf(await collect(r.stream(request("hi", { model: "mystery/m1" }))));
    expect(stop.error).toMatchObject({ kind: "config" });
    expect(stop.error!.message).toContain('unknown provider "mystery"');
    expect(stop.error!.message).toContain("anthropic");
    expect(stop.error!.message).toContain("ollama");
    expect(ant.requests).toHaveLength(0);
  });
});
