/**
 * The config file and the state folders: the config parses and validates, the config and the
 * token file are 0600, the state dir and credentials/ are 0700 and writable. Repairs: chmod,
 * and creating a missing state dir (0700).
 */
import { accessSync, chmodSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { shellQuote } from "../../config/load.ts";
import { gatewayTokenPath } from "../../config/paths.ts";
import { errorMessage } from "../../core/errors.ts";
import { fail, modeString, ok, warn, type Check, type DoctorContext } from "./types.ts";

export const configValid: Check = {
  id: "config",
  run(ctx) {
    if (ctx.configError) return fail("config", `the config ${ctx.configPath} is invalid: ${ctx.configError}`, `edit ${shellQuote(ctx.configPath)} (or run openclaw config set <key> <value>); the message names the key`);
    if (!ctx.configExists) return warn("config", `no config at ${ctx.configPath}; the defaults apply`, "openclaw onboard");
    if (ctx.configWarnings.length) return warn("config", `the config ${ctx.configPath} is valid, with warnings: ${ctx.configWarnings.join("; ")}`, `edit ${shellQuote(ctx.configPath)}`);
    return ok("config", `the config ${ctx.configPath} is valid`);
  },
};

function modeOf(path: string): number | null {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return null;
  }
}

/** A private file (0600): warns nothing when absent, fails when others may read it. */
function privateFile(id: string, what: string, path: (ctx: DoctorContext) => string): Check {
  return {
    id,
    run(ctx) {
      const p = path(ctx);
      const mode = modeOf(p);
      if (mode === null) return ok(id, `${what} ${p} does not exist (nothing to protect)`);
      if ((mode & 0o077) !== 0) return fail(id, `${what} ${p} has mode ${modeString(mode)}: other users may read it, and it may hold secrets`, `chmod 600 ${shellQuote(p)}`);
      return ok(id, `${what} ${p} is private (${modeString(mode)})`);
    },
    repair(ctx) {
      const p = path(ctx);
      chmodSync(p, 0o600);
      return `chmod 600 ${p}`;
    },
  };
}

export const configPermissions: Check = privateFile("config-permissions", "the config", (ctx) => ctx.configPath);
export const tokenFilePermissions: Check = privateFile("token-file-permissions", "the gateway token", () => gatewayTokenPath());

/** A state folder: present (else warn, created by --fix), 0700, writable. */
function privateDir(id: string, what: string, path: (ctx: DoctorContext) => string): Check {
  return {
    id,
    run(ctx) {
      const p = path(ctx);
      if (!existsSync(p)) return warn(id, `${what} ${p} does not exist yet (the gateway creates it at first start)`, `mkdir -m 700 -p ${shellQuote(p)}`);
      const st = statSync(p);
      if (!st.isDirectory()) return fail(id, `${what} ${p} is not a folder`, `move ${shellQuote(p)} aside, or point OPENCLAW_STATE_DIR elsewhere`);
      try {
        accessSync(p, constants.W_OK);
      } catch (err) {
        return fail(id, `${what} ${p} is not writable by this user (${errorMessage(err)})`, `chown -R "$(id -un)" ${shellQuote(p)}, or run openclaw as its owner`);
      }
      const mode = st.mode & 0o777;
      if ((mode & 0o077) !== 0) return warn(id, `${what} ${p} has mode ${modeString(mode)}: other users may list it`, `chmod 700 ${shellQuote(p)}`);
      return ok(id, `${what} ${p} is writable and private (${modeString(mode)})`);
    },
    repair(ctx, result) {
      const p = path(ctx);
      if (!existsSync(p)) {
        mkdirSync(p, { recursive: true, mode: 0o700 });
        return `created ${p} (0700)`;
      }
      if (result.status === "warn") {
        chmodSync(p, 0o700);
        return `chmod 700 ${p}`;
      }
      return null; // not writable / not a folder: not a safe repair
    },
  };
}

export const stateDirCheck: Check = privateDir("state-dir", "the state dir", (ctx) => ctx.stateDir);
export const credentialsDirCheck: Check = privateDir("credentials-dir", "the credentials folder", (ctx) => join(ctx.stateDir, "credentials"));
