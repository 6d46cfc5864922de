/**
 * `tools.exec.network.allow` at config load: every entry valid (egress-rules.ts), and refused
 * where the allowlist could not be enforced, each with a `ConfigError` that names the key and the
 * fix. With `networkAccess: false` the list is kept but has no effect: nothing leaves the sandbox.
 */
import { ConfigError } from "../core/errors.ts";
import type { SandboxConfig } from "../config/schema.ts";
import { EGRESS_KEY, formatEgressRule, parseEgressAllow } from "./egress-rules.ts";

/** The bridge (a Bun process) needs about 384 MiB of address space to start (measured: 300 fails, 384 works). */
export const EGRESS_MIN_MEMORY_MB = 512;

/** The normalised entries, de-duplicated. Throws `ConfigError`. */
export function resolveEgressAllow(entries: readonly string[], cfg: SandboxConfig): string[] {
  const { rules, errors } = parseEgressAllow(entries);
  const first = errors[0];
  if (first) throw new ConfigError(`${EGRESS_KEY}[${first.index}]: ${first.error}`);
  if (rules.length === 0) return [];
  if (cfg.level === "off") {
    throw new ConfigError(
      `${EGRESS_KEY} is set, but the sandbox level is "off", where commands use the host network and nothing can filter it; ` +
        `set agents.defaults.sandbox.level to "standard" or "strict", or remove ${EGRESS_KEY}`,
    );
  }
  if (cfg.networkAccess && cfg.limits.memoryMb < EGRESS_MIN_MEMORY_MB) {
    throw new ConfigError(
      `${EGRESS_KEY} runs a small bridge inside each sandbox that needs about 384 MiB of address space, ` +
        `but agents.defaults.sandbox.limits.memoryMb is ${cfg.limits.memoryMb}; raise it to at least ${EGRESS_MIN_MEMORY_MB}`,
    );
  }
  return [...new Set(rules.map(formatEgressRule))];
}
