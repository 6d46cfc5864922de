// The OpenAI-compatible stream against hostile servers (the fake OpenAI API playing raw bytes):
// an event that never ends is cut at the byte cap, and a server trickling bytes without ever
// finishing an event hits the idle timeout (the idle clock restarts per event, not per chunk).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OpenAICompatibleProvider } from "../../src/providers/openai-compatible.ts";
import { oai, startFakeOpenAI, type FakeOpenAI } from "../fakes/openai.ts";
import { collect, request, stopOf, textOfEvents } from "./helpers.ts";

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.stop());

const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const provider = (o: { timeoutMs?: number; maxEventBytes?: number }) =>
  new OpenAICompatibleProvider({ id: "local", baseUrl: `${fake.url}/v1`, maxRetries: 0, ...o });

describe("SSE limits", () => {
  test("a single event past maxEventBytes ends the stream with a clear malformed error", async () => {
    fake.enqueue(oai.raw([chunk("ok "), `data: {"choices":[{"delta":{"content":"${"x".repeat(3000)}`, "y".repeat(3000)]));
    const events = await collect(provider({ maxEventBytes: 4096 }).stream(request("hi", { model: "m" })));
    const stop = stopOf(events);
    expect(textOfEvents(events)).toBe("ok ");
    expect(stop.stopReason).toBe("error");
    expect(stop.error).toMatchObject({ kind: "malformed", retryable: false });
    expect(stop.error?.message).toContain("4096 bytes");
  });

  test("a server trickling one byte at a time without finishing an event times out", async () => {
    // complete events first (they reset the idle clock), then 400 single bytes 10 ms apart, never a blank line:
    // with a per-chunk reset this would end as a cut stream after the trickle; per event it is a timeout
    fake.enqueue(oai.raw([chunk("a"), chunk("b"), "data: ", ..."x".repeat(400).split("")], 10));
    const events = await collect(provider({ timeoutMs: 150 }).stream(request("hi", { model: "m" })));
    const stop = stopOf(events);
    expect(textOfEvents(events)).toBe("ab");
    expect(stop.error).toMatchObject({ kind: "timeout" });
  });
});

describe("non-streamed bodies are bounded too", () => {
  test("a server that ignores stream:true and sends an oversized JSON completion", async () => {
    const huge = JSON.stringify({ choices: [{ message: { content: "z".repeat(10_000) }, finish_reason: "stop" }] });
    fake.enqueue(oai.raw([huge.slice(0, 5000), huge.slice(5000)], 0, "application/json"));
    const stop = stopOf(await collect(provider({ maxEventBytes: 4096 }).stream(request("hi", { model: "m" }))));
    expect(stop.error).toMatchObject({ kind: "malformed", retryable: false });
    expect(stop.error?.message).toContain("4096 bytes");
  });

  test("the same completion under the cap is accepted", async () => {
    const body = JSON.stringify({ choices: [{ message: { content: "plain json" }, finish_reason: "stop" }] });
    fake.enqueue(oai.raw([body], 0, "application/json"));
    const events = await collect(provider({}).stream(request("hi", { model: "m" })));
    expect(textOfEvents(events)).toBe("plain json");
    expect(stopOf(events).stopReason).toBe("end_turn");
  });
});
