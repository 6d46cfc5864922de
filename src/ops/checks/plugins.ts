/**
 * Plugins: each discovered plugin that is refused (manifest, ownership, config against its
 * configSchema) fails with the reason; with plugins to start, bubblewrap must be usable (plugins
 * always run sandboxed); and when the gateway is running, a plugin it disabled after repeated
 * crashes fails with why. Skipped plugins (allow/deny/enabled) are reported as ok, with the reason.
 */
import { errorMessage } from "../../core/errors.ts";
import { findBwrap } from "../../sandbox/probe.ts";
import { pluginReport } from "../plugins.ts";
import { fail, ok, type Check, type CheckResult } from "./types.ts";

export const pluginsCheck: Check = {
  id: "plugins",
  async run(ctx) {
    let report;
    try {
      report = await pluginReport({ config: ctx.config, path: ctx.configPath, envOverrides: ctx.envOverrides }, { state: ctx.stateDir });
    } catch (err) {
      return fail("plugins", `plugins could not be listed: ${errorMessage(err)}`, "check plugins.load.paths and <state dir>/extensions");
    }
    if (report.plugins.length === 0) return ok("plugins", "no plugins installed");
    const out: CheckResult[] = [];
    for (const p of report.plugins) {
      const id = `plugin:${p.id}`;
      if (p.live?.state === "disabled") out.push(fail(id, `plugin ${p.id} was disabled by the gateway: ${p.live.reason ?? "repeated crashes"}`, `fix the plugin, then: openclaw plugins info ${p.id}; restart it with the plugins.restart RPC or restart the gateway`));
      else if (p.configured === "refused") out.push(fail(id, `plugin ${p.id} is not loaded: ${p.reason}`, "see the message; fix the plugin directory or its plugins.entries config"));
      else if (p.configured === "skipped") out.push(ok(id, `plugin ${p.id} is skipped: ${p.reason}`));
      else out.push(ok(id, `plugin ${p.id}${p.live ? ` is ${p.live.state}` : " will start with the gateway"}`));
    }
    if (report.plugins.some((p) => p.configured === "enabled")) {
      const b = findBwrap(undefined, ctx.env.PATH);
      if ("error" in b) out.push(fail("plugins:sandbox", `plugins run under bubblewrap, which cannot be used: ${b.error}`, "sudo apt-get install bubblewrap (or your distribution's package)"));
    }
    return out;
  },
};
