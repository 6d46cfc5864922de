// The failed-secret limiter the gateway (token checks) and the Telegram webhook (secret header) share.
import { describe, expect, test } from "bun:test";
import { AuthRateLimiter, sourceOf } from "../../src/core/ratelimit.ts";

describe("AuthRateLimiter", () => {
  test("free failures, then doubling blocks, success clears", () => {
    let now = 1_000_000;
    const rl = new AuthRateLimiter({ freeFailures: 2, baseDelayMs: 1000, maxDelayMs: 8000, now: () => now });
    rl.failure("127.0.0.1");
    rl.failure("127.0.0.1");
    expect(rl.retryAfterMs("127.0.0.1")).toBe(0);
    rl.failure("127.0.0.1");
    expect(rl.retryAfterMs("127.0.0.1")).toBe(1000);
    expect(rl.retryAfterMs("10.0.0.2")).toBe(0); // per address
    now += 1000;
    rl.failure("127.0.0.1");
    expect(rl.retryAfterMs("127.0.0.1")).toBe(2000);
    for (let i = 0; i < 10; i++) rl.failure("127.0.0.1");
    expect(rl.retryAfterMs("127.0.0.1")).toBe(8000); // capped
    rl.success("127.0.0.1");
    expect(rl.retryAfterMs("127.0.0.1")).toBe(0);
  });
  test("all of loopback is one source: rotating through 127.0.0.0/8 and ::1 buys nothing", () => {
    let now = 1_000_000;
    const rl = new AuthRateLimiter({ freeFailures: 5, now: () => now });
    for (let i = 0; i < 6; i++) rl.failure(`127.${i}.${i * 7}.${i + 1}`);
    for (const a of ["127.0.0.1", "127.200.1.9", "::1", "::ffff:127.0.0.5", "localhost"]) expect(rl.retryAfterMs(a)).toBe(1000);
    expect(rl.retryAfterMs("10.0.0.1")).toBe(0);
    rl.success("127.9.9.9"); // a success from loopback clears loopback
    expect(rl.retryAfterMs("127.0.0.1")).toBe(0);
  });
  test("sources: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64", () => {
    expect(sourceOf("127.3.4.5")).toBe("loopback");
    expect(sourceOf("::ffff:127.0.0.1")).toBe("loopback");
    expect(sourceOf("10.1.2.3")).toBe("10.1.2.3");
    expect(sourceOf("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(sourceOf("2001:db8:1:2::1")).toBe(sourceOf("2001:db8:1:2:ffff:aaaa:bbbb:cccc"));
    expect(sourceOf("2001:db8:1:2::1")).not.toBe(sourceOf("2001:db8:1:3::1"));
  });
  test("a global budget caps failures from every source together; after its window all may try again", () => {
    let now = 1_000_000;
    const rl = new AuthRateLimiter({ freeFailures: 5, globalFailures: 20, globalWindowMs: 60_000, now: () => now });
    let refusedAt = -1;
    for (let i = 0; i < 200 && refusedAt < 0; i++) {
      const ip = `10.${i >> 8}.${i & 255}.1`;
      if (rl.retryAfterMs(ip) > 0) refusedAt = i;
      else rl.failure(ip);
      now += 10;
    }
    expect(refusedAt).toBe(20);
    expect(rl.retryAfterMs("192.0.2.77")).toBeGreaterThan(0); // a fresh source waits too
    now += 60_000;
    expect(rl.retryAfterMs("192.0.2.77")).toBe(0);
  });
  test("the table is bounded", () => {
    const rl = new AuthRateLimiter({ maxEntries: 100 });
    for (let i = 0; i < 1000; i++) rl.failure(`10.0.${i >> 8}.${i & 255}`);
    expect(rl.size()).toBeLessThanOrEqual(100);
  });
});
