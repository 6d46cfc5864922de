/**
 * Version and commit. `build/build.ts` injects both with `define`; from source the version comes
 * from package.json and the commit is "dev". Importing this module must stay cheap: `--version`
 * loads nothing else.
 */
import pkg from "../../package.json" with { type: "json" };

declare const __OPENCLAW_VERSION__: string | undefined;
declare const __OPENCLAW_COMMIT__: string | undefined;

export const VERSION: string = typeof __OPENCLAW_VERSION__ === "string" ? __OPENCLAW_VERSION__ : pkg.version;
export const COMMIT: string = typeof __OPENCLAW_COMMIT__ === "string" ? __OPENCLAW_COMMIT__ : "dev";

declare const __OPENCLAW_RELEASE_PUBKEY__: string | undefined;
/** "signed" when a release key was compiled in (build/release.ts with OPENCLAW_RELEASE_KEY), else "unsigned" */
export const SIGNING: "signed" | "unsigned" =
  typeof __OPENCLAW_RELEASE_PUBKEY__ === "string" && __OPENCLAW_RELEASE_PUBKEY__ !== "" ? "signed" : "unsigned";
