import { expect } from "bun:test";
import { ConfigError } from "../../src/core/errors.ts";
import { loadConfig } from "../../src/config/load.ts";

/** The ConfigError loading `path` with `env` throws; fails the test when it loads. */
export function loadErrorAt(path: string, env: Record<string, string> = {}): ConfigError {
  try {
    loadConfig({ path, env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}
