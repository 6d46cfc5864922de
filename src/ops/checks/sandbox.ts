/**
 * Each agent's sandbox level is usable: the sandbox's own start-up probe (sandbox/probe.ts through
 * the executor's `status()`: bwrap found, user namespaces allowed, the exact sandbox runs `true`).
 * The probe's reason already says why and how to fix it. Level `off` is a warning.
 */
import { agentIds } from "../../config/agents.ts";
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { resolveSandboxConfig } from "../../sandbox/config.ts";
import { executorFor } from "../../sandbox/create-executor.ts";
import { fail, ok, warn, type Check, type CheckResult } from "./types.ts";

/** The probe's own log lines would repeat the result among doctor's output; the result carries them. */
const quiet: Logger = { error() {}, warn() {}, info() {}, debug() {}, trace() {}, enabled: () => false, child: () => quiet };

export const sandboxCheck: Check = {
  id: "sandbox",
  async run(ctx) {
    const results: CheckResult[] = [];
    for (const agent of agentIds(ctx.config)) {
      const id = `sandbox:${agent}`;
      try {
        const resolved = resolveSandboxConfig(ctx.config, agent);
        if (resolved.level === "off") {
          results.push(warn(id, `agent ${agent}: sandbox level off: tools run unsandboxed on this host, as this user`, `openclaw config set agents.defaults.sandbox.level standard`));
          continue;
        }
        const s = await executorFor(resolved, { hostEnv: ctx.env, log: quiet }).status();
        results.push(s.ok ? ok(id, `agent ${agent}: the ${s.level} sandbox works`) : fail(id, `agent ${agent}: ${s.reason ?? `the ${s.level} sandbox cannot start`}`, "see the message: install bubblewrap or allow user namespaces as it says"));
      } catch (err) {
        results.push(fail(id, `agent ${agent}: ${errorMessage(err)}`, "fix agents.defaults.sandbox (or the agent entry's sandbox) in the config"));
      }
    }
    return results;
  },
};
