// toolEnv: a secret is refused by its value, not only by its name.
import { describe, expect, test } from "bun:test";
import type { Logger } from "../../src/core/log.ts";
import { ApiKey } from "../../src/core/secrets.ts";
import { toolEnv } from "../../src/sandbox/env.ts";

function recorder(): { log: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const log: Logger = { error: () => {}, warn: (m: string) => void warnings.push(m), info: () => {}, debug: () => {}, trace: () => {}, enabled: () => true, child: () => log };
  return { log, warnings };
}

const base = { path: "/usr/bin:/bin", home: "/ws" };

describe("toolEnv", () => {
  test("a host secret's value under a neutral name (envAllow or the request) is not passed on, and the warning names only the variable", () => {
    const value = `neutral${crypto.randomUUID().replaceAll("-", "")}`; // no known token shape, never put in an ApiKey
    const { log, warnings } = recorder();
    const env = toolEnv({
      ...base,
      envAllow: ["BUILD_FLAVOUR", "MY_SETTING"],
      hostEnv: { OPENAI_API_KEY: value, MY_SETTING: value, BUILD_FLAVOUR: "release" },
      extra: { COPY: `prefix-${value}` },
      log,
    });
    expect(env.MY_SETTING).toBeUndefined();
    expect(env.COPY).toBeUndefined();
    expect(env.BUILD_FLAVOUR).toBe("release");
    expect(Object.values(env).join("\n")).not.toContain(value);
    expect(warnings.some((w) => w.includes("MY_SETTING"))).toBe(true);
    expect(warnings.join("\n")).not.toContain(value);
  });

  test("a value registered as a secret (an ApiKey) is refused under any name", () => {
    const value = `plain${crypto.randomUUID().replaceAll("-", "")}`;
    new ApiKey(value);
    const env = toolEnv({ ...base, envAllow: ["HARMLESS"], hostEnv: { HARMLESS: value }, log: recorder().log });
    expect(env.HARMLESS).toBeUndefined();
  });

  test("ordinary values pass", () => {
    const env = toolEnv({ ...base, envAllow: ["LANG", "NODE_ENV"], hostEnv: { LANG: "de_DE.UTF-8", NODE_ENV: "production" }, extra: { CI: "1" }, log: recorder().log });
    expect(env).toEqual({ PATH: "/usr/bin:/bin", HOME: "/ws", LANG: "de_DE.UTF-8", TERM: "dumb", NODE_ENV: "production", CI: "1" });
  });
});
