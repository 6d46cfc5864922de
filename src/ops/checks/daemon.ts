/**
 * The service unit `openclaw daemon install` writes: the systemd user unit on Linux, the
 * LaunchAgent on macOS, read through the daemon module's own `daemonUnit()` (the unit file only;
 * no service manager is asked). Present and naming this binary is ok; absent, or naming another
 * binary (an old install, a moved file), is a warning with the reinstall command.
 */
import { daemonUnit, type DaemonUnit } from "../../daemon/control.ts";
import { ok, warn, type Check } from "./types.ts";

export const daemonCheck: Check = {
  id: "daemon",
  async run(ctx) {
    let unit: DaemonUnit;
    try {
      unit = await daemonUnit({ program: ctx.execPath });
    } catch {
      return ok("daemon", `no service manager support on ${process.platform}; run openclaw gateway run under your own supervisor`);
    }
    const path = unit.unitPath;
    if (!unit.installed) return warn("daemon", `no daemon unit (${path}): the gateway does not start with the machine`, "openclaw daemon install");
    if (unit.pointsAtThisBinary === null) return warn("daemon", `cannot read the daemon unit ${path}`, "openclaw daemon install (rewrites the unit)");
    if (!unit.pointsAtThisBinary) return warn("daemon", `the daemon unit ${path} does not run this binary (${ctx.execPath})`, "openclaw daemon install (rewrites the unit for this binary)");
    return ok("daemon", `the daemon unit ${path} runs this binary`);
  },
};
