/**
 * `openclaw update [--check] [--to VERSION] [--rollback]`; `openclaw update --verify-manifest FILE`
 * (install.sh: the new binary checks a downloaded manifest's signature with its compiled-in key).
 */
import { defineCommand } from "citty";
import { output } from "./output.ts";

export const command = defineCommand({
  meta: { name: "update", description: "Update this binary from the signed release at update.url (or roll back)" },
  args: {
    check: { type: "boolean", description: "only report whether an update is available" },
    to: { type: "string", valueHint: "version", description: "install this version (from <update.url>/v<VERSION>/)" },
    rollback: { type: "boolean", description: "put back the binary the last update replaced" },
    "verify-manifest": { type: "string", valueHint: "file", description: "verify FILE against FILE.sig with the compiled-in release key and exit" },
  },
  async run({ args }) {
    if (args["verify-manifest"]) {
      const { readFileSync, existsSync } = await import("node:fs");
      const { verifyManifest } = await import("../ops/update-manifest.ts");
      const f = args["verify-manifest"];
      const m = verifyManifest(readFileSync(f), existsSync(`${f}.sig`) ? readFileSync(`${f}.sig`, "utf8") : null);
      output(`manifest ${f}: signature good (openclaw ${m.version}, ${m.commit})`, { ok: true, version: m.version, commit: m.commit });
      return;
    }
    const [{ runUpdate }, { VERSION }] = await Promise.all([import("../ops/update.ts"), import("./version.ts")]);
    const r = await runUpdate({ current: VERSION, check: args.check === true, rollback: args.rollback === true, ...(args.to ? { to: args.to } : {}) });
    output(r.message, { ...r });
  },
});
