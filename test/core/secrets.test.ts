import { describe, expect, test } from "bun:test";
import { inspect } from "node:util";
import { ApiKey, mask, redact, redactValue, registerSecret } from "../../src/core/secrets.ts";
import { configureLogging, createLogger, logLevel } from "../../src/core/log.ts";

const RAW = "sk-ant-api03-SECRETSECRETSECRET-wxyz";

describe("ApiKey", () => {
  test("never shows its value: toString, template strings, JSON.stringify, util.inspect, String(), concatenation", () => {
    const k = new ApiKey(RAW);
    const renderings = [
      k.toString(),
      `${k}`,
      "key: " + k,
      String(k),
      JSON.stringify({ k }),
      JSON.stringify(k),
      inspect(k),
      inspect({ nested: { k } }, { depth: 5 }),
      Bun.inspect(k),
    ];
    for (const r of renderings) {
      expect(r).not.toContain("SECRETSECRETSECRET");
    }
    expect(`${k}`).toBe("sk-ant-…wxyz");
    expect(inspect(k)).toBe("ApiKey(sk-ant-…wxyz)");
    expect(k.reveal()).toBe(RAW);
    expect(k.equals(RAW)).toBe(true);
    expect(k.equals(new ApiKey("other-key-value"))).toBe(false);
    expect(k.equals(new ApiKey(RAW))).toBe(true);
    for (const wrong of [null, undefined, "", RAW.slice(0, -1), RAW + "x"]) expect(k.equals(wrong)).toBe(false);
  });

  test("refuses an empty value", () => {
    expect(() => new ApiKey("")).toThrow(TypeError);
  });

  test("registers its value so redact() masks it anywhere", () => {
    new ApiKey("plain-custom-credential-123456");
    const out = redact("connect with plain-custom-credential-123456 now");
    expect(out).not.toContain("credential-123456");
    expect(out).toContain("…3456");
  });
});

describe("redact", () => {
  test("masks known token shapes even when never registered", () => {
    const line = [
      "anthropic sk-ant-api03-abcdefghijklmnop",
      "openai sk-proj-abcdefghijklmnopqrst",
      "telegram 123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0",
      "auth Bearer abcdef123456.xyz",
      "github ghp_abcdefghijklmnopqrstuvwxyz0123",
    ].join("\n");
    const out = redact(line);
    for (const s of ["abcdefghijklmnop", "AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0", "abcdef123456.xyz", "ghp_abcdefghijklmnopqrstuvwxyz0123"]) {
      expect(out).not.toContain(s);
    }
    expect(out).toContain("Bearer …");
  });

  test("masks registered secrets; short values are not registered (too many false hits)", () => {
    registerSecret("from-a-token-file-987654");
    expect(redact("x=from-a-token-file-987654")).not.toContain("from-a-token-file-987654");
    registerSecret("short");
    expect(redact("a short word")).toBe("a short word");
    expect(mask("tiny")).toBe("…");
  });

  test("redactValue masks ApiKeys and secret-named keys deeply, and redacts strings", () => {
    const v = redactValue({
      gateway: { auth: { token: "whatever-it-is-1234" } },
      models: { providers: { a: { apiKey: "sk-ant-zzzzzzzzzzzzzzzzzzzz", baseUrl: "http://x" } } },
      list: [{ password: "hunter2hunter2" }, new ApiKey("sk-ant-in-array-123456789")],
      note: "sk-live-abcdefghijklmn in text",
      port: 1,
    }) as Record<string, any>;
    expect(JSON.stringify(v)).not.toMatch(/whatever-it-is|zzzzzzzz|hunter2|in-array|abcdefghijklmn/);
    expect(v.models.providers.a.baseUrl).toBe("http://x");
    expect(v.port).toBe(1);
  });
});

describe("log sink", () => {
  test("every line goes through redact, in text and JSON mode, including fields and errors", () => {
    const lines: string[] = [];
    const prev = logLevel();
    const k = new ApiKey("sk-ant-logged-key-000011112222");
    try {
      for (const json of [false, true]) {
        configureLogging({ level: "debug", json, sink: (l) => lines.push(l) });
        const log = createLogger("test");
        log.info(`using key sk-ant-logged-key-000011112222`);
        log.warn("fields", { key: k, raw: "sk-ant-logged-key-000011112222", err: new Error("failed with Bearer sometoken12345") });
        log.debug("object", { nested: { token: "sk-ant-logged-key-000011112222" } });
      }
    } finally {
      configureLogging({ level: prev, json: false, sink: (l) => process.stderr.write(l + "\n") });
    }
    expect(lines).toHaveLength(6);
    for (const l of lines) {
      expect(l).not.toContain("logged-key-000011112222");
      expect(l).not.toContain("sometoken12345");
    }
    expect(JSON.parse(lines[3]!)).toMatchObject({ level: "info", scope: "test" });
  });

  test("levels filter", () => {
    const lines: string[] = [];
    const prev = logLevel();
    try {
      configureLogging({ level: "warn", json: false, sink: (l) => lines.push(l) });
      const log = createLogger("lv");
      log.info("hidden");
      log.error("shown");
      expect(log.enabled("debug")).toBe(false);
    } finally {
      configureLogging({ level: prev, sink: (l) => process.stderr.write(l + "\n") });
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("ERROR [lv] shown");
  });
});
