/**
 * Config sources for the gateway. `FileConfigSource` edits the config file through the config
 * module's patch API (validated against the schema before anything is written, written atomically,
 * mode 0600). `MemoryConfigSource` holds a config in memory (library use, tests) and patches it
 * with the same merge and validation, so both refuse the same patches with the same ConfigError.
 */
import { patchConfig } from "../config/edit.ts";
import { mergePatch } from "../config/keypath.ts";
import { ConfigSchema, type Config } from "../config/schema.ts";
import { validateDocument } from "../config/validate.ts";
import type { ConfigSource } from "./deps.ts";

export class FileConfigSource implements ConfigSource {
  #config: Config;
  constructor(
    config: Config,
    private readonly path: string,
  ) {
    this.#config = config;
  }
  get(): Config {
    return this.#config;
  }
  async patch(patch: Record<string, unknown>): Promise<Config> {
    this.#config = patchConfig(patch, { path: this.path, check: "strict" }).config;
    return this.#config;
  }
}

export class MemoryConfigSource implements ConfigSource {
  #raw: unknown;
  #config: Config;
  constructor(raw: Record<string, unknown> = {}) {
    this.#raw = raw;
    this.#config = ConfigSchema.parse(raw);
  }
  get(): Config {
    return this.#config;
  }
  async patch(patch: Record<string, unknown>): Promise<Config> {
    const next = mergePatch(this.#raw, patch);
    this.#config = validateDocument(next);
    this.#raw = next;
    return this.#config;
  }
}
