import { describe, expect, test } from "bun:test";
import { emptyUsage } from "../../src/core/messages.ts";
import { abortableSleep } from "../../src/core/backoff.ts";
import { DEFAULT_RETRY, parseRetryAfter, retryDelay, retrySettings, withRetries } from "../../src/providers/retry.ts";
import { errorStop, failure, stopEvent } from "../../src/providers/failure.ts";
import type { ProviderEvent } from "../../src/providers/types.ts";
import { collect, fakeSleep, stopOf } from "./helpers.ts";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  test.each([
    [{ "retry-after": "2" }, 2000],
    [{ "retry-after": "0.5" }, 500],
    [{ "Retry-After": "7" }, 7000],
    [{ "retry-after-ms": "1500", "retry-after": "9" }, 1500],
    [{ "retry-after": "Thu, 01 Jan 2026 00:00:30 GMT" }, 30_000],
    [{ "retry-after": "Wed, 31 Dec 2025 23:59:00 GMT" }, 0],
    [{ "retry-after": "soon" }, undefined],
    [{}, undefined],
  ])("%o → %p", (headers, expected) => {
    expect(parseRetryAfter(headers as Record<string, string>, now)).toBe(expected as number | undefined);
  });

  test("reads a fetch Headers object", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": "3" }))).toBe(3000);
  });
});

describe("retryDelay", () => {
  const s = retrySettings({ random: () => 0 });
  test("exponential with jitter between half and all of base·2^n, capped", () => {
    expect([0, 1, 2, 3, 10].map((n) => retryDelay(n, s))).toEqual([250, 500, 1000, 2000, 4000]);
    const hi = retrySettings({ random: () => 0.999999 });
    expect([0, 1, 10].map((n) => retryDelay(n, hi))).toEqual([500, 1000, 8000]);
  });
  test("a server-requested delay is used as is, unless beyond maxRetryAfterMs", () => {
    expect(retryDelay(0, s, 4321)).toBe(4321);
    expect(retryDelay(0, s, DEFAULT_RETRY.maxRetryAfterMs + 1)).toBeUndefined();
  });
  test("maxRetries overrides the default of 3", () => {
    expect(DEFAULT_RETRY.maxRetries).toBe(3);
    expect(retrySettings(undefined, 5).maxRetries).toBe(5);
  });
});

describe("withRetries", () => {
  const fail = (retryable: boolean) => errorStop(failure("server_error", "boom", retryable, 500));
  async function* script(events: ProviderEvent[]): AsyncGenerator<ProviderEvent> {
    yield* events;
  }

  test("held start/usage of a failed attempt never reach the caller", async () => {
    const attempts = [
      [{ type: "start", model: "m" }, { type: "usage", usage: emptyUsage() }, fail(true)],
      [{ type: "start", model: "m2" }, { type: "text_delta", text: "hi" }, stopEvent("end_turn", [{ type: "text", text: "hi" }], emptyUsage())],
    ] as ProviderEvent[][];
    const clock = fakeSleep();
    const events = await collect(withRetries((n) => script(attempts[n]!), retrySettings({ sleep: clock.sleep }), undefined));
    expect(events.map((e) => e.type)).toEqual(["start", "text_delta", "stop"]);
    expect(events[0]).toEqual({ type: "start", model: "m2" });
  });

  test("a stream without a stop event is closed with a malformed error", async () => {
    const events = await collect(withRetries(() => script([{ type: "text_delta", text: "x" }]), DEFAULT_RETRY, undefined));
    expect(stopOf(events).error).toMatchObject({ kind: "malformed" });
  });

  test("abortableSleep resolves early on abort", async () => {
    const ctl = new AbortController();
    const p = abortableSleep(60_000, ctl.signal);
    ctl.abort();
    await p; // would hang the test (30 s timeout) if abort were ignored
    expect(ctl.signal.aborted).toBe(true);
  });
});
