import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Authenticator, bearerToken, describeAuth, resolveAuth } from "../../src/gateway/auth.ts";
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
