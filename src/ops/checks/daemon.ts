/**
 * The service unit `openclaw daemon install` writes: the systemd user unit on Linux, the
 * LaunchAgent on macOS. Present and naming this binary is ok; absent, or naming another binary
 * (an old install, a moved file), is a warning with the reinstall command.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { homeDir } from "../../config/paths.ts";
import { ok, warn, type Check } from "./types.ts";

/** Where `openclaw daemon install` puts the unit on this platform; null where there is none. */
export function daemonUnitPath(platform: NodeJS.Platform = process.platform): string | null {
  if (platform === "linux") return join(homeDir(), ".config", "systemd", "user", "openclaw-gateway.service");
  if (platform === "darwin") return join(homeDir(), "Library", "LaunchAgents", "ai.openclaw.gateway.plist");
  return null;
}

export const daemonCheck: Check = {
  id: "daemon",
  run(ctx) {
    const path = daemonUnitPath();
    if (!path) return ok("daemon", `no service manager support on ${process.platform}; run openclaw gateway run under your own supervisor`);
    if (!existsSync(path)) return warn("daemon", `no daemon unit (${path}): the gateway does not start with the machine`, "openclaw daemon install");
    if (!readFileSync(path, "utf8").includes(ctx.execPath)) return warn("daemon", `the daemon unit ${path} does not run this binary (${ctx.execPath})`, "openclaw daemon install (rewrites the unit for this binary)");
    return ok("daemon", `the daemon unit ${path} runs this binary`);
  },
};
