import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Authenticator, bearerToken, describeAuth, resolveAuth } from "../../src/gateway/auth.ts";
import { AuthRateLimiter, sourceOf } from "../../src/gateway/ratelimit.ts";
import { OriginPolicy, ownOrigins } from "../../src/gateway/origin.ts";
import { ApiKey } from "../../src/core/secrets.ts";

const dir = () => mkdtempSync(join(tmpdir(), "gw-auth-"));

describe("token resolution", () => {
  test("flag beats env beats config; none generates a 0600 file once", () => {
    const tokenPath = join(dir(), "credentials", "gateway-token");
    expect(resolveAuth({ mode: "token", flagToken: "f".repeat(32), envToken: "e".repeat(32), configToken: "c".repeat(32), tokenPath }).source).toBe("flag");
    expect(resolveAuth({ mode: "token", envToken: "e".repeat(32), configToken: "c".repeat(32), tokenPath }).source).toBe("env");
    expect(resolveAuth({ mode: "token", configToken: "c".repeat(32), tokenPath }).source).toBe("config");
    const gen = resolveAuth({ mode: "token", tokenPath });
    expect(gen.source).toBe("generated");
    const stored = readFileSync(tokenPath, "utf8").trim();
    expect(Buffer.from(stored, "base64url").length).toBeGreaterThanOrEqual(32);
    expect(statSync(tokenPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(tokenPath, "..")).mode & 0o777).toBe(0o700);
    const again = resolveAuth({ mode: "token", tokenPath });
    expect(again.source).toBe("file");
    expect(again.token!.reveal()).toBe(stored);
    // where it is, never what it is
    expect(describeAuth(gen)).toContain(tokenPath);
    expect(describeAuth(gen)).not.toContain(stored);
  });
  test("a loose token file is tightened to 0600", () => {
    const p = join(dir(), "tok");
    // a distinctive value: resolveAuth registers it with redact() for the rest of the process
    writeFileSync(p, "loose-token-file-" + "q".repeat(32), { mode: 0o644 });
    resolveAuth({ mode: "token", tokenPath: p });
    expect(statSync(p).mode & 0o777).toBe(0o600);
  });
});

describe("Authenticator", () => {
  const token = "t0k3n-" + "a".repeat(40);
  const a = new Authenticator({ mode: "token", token: new ApiKey(token) });
  test("accepts only the exact token", () => {
    expect(a.verify(token)).toBe(true);
    expect(a.verify(token.slice(0, token.length / 2))).toBe(false);
    expect(a.verify(token + "x")).toBe(false);
    expect(a.verify("")).toBe(false);
    expect(a.verify(null)).toBe(false);
    expect(a.verify(undefined)).toBe(false);
  });
  test("mode none lets everyone in", () => {
    expect(new Authenticator({ mode: "none" }).verify(null)).toBe(true);
  });
  test("bearer header parsing", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer abc")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeNull();
    expect(bearerToken("Bearer")).toBeNull();
    expect(bearerToken(null)).toBeNull();
  });
});

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

describe("OriginPolicy", () => {
  const p = new OriginPolicy(() => ownOrigins("127.0.0.1", 18789), () => ["https://dash.example.com"]);
  test("own origins and the allow-list pass; others and 'null' do not; no Origin passes to auth", () => {
    expect(p.allows("http://127.0.0.1:18789")).toBe(true);
    expect(p.allows("http://localhost:18789")).toBe(true);
    expect(p.allows("https://dash.example.com/")).toBe(true);
    expect(p.allows("https://evil.example")).toBe(false);
    expect(p.allows("http://127.0.0.1:18790")).toBe(false);
    expect(p.allows("null")).toBe(false);
    expect(p.allows(undefined)).toBe(true);
  });
});
