/**
 * The egress allowlist, as the bubblewrap executor uses it. With `networkAccess: true` and a
 * non-empty `tools.exec.network.allow`, a command does NOT get the host network: it runs in its
 * own network namespace (only its own loopback), and the outside is reachable only through
 *   command → HTTP(S)_PROXY=127.0.0.1:3128 → egress bridge (in the sandbox, egress-bridge.ts)
 *     → bound-in Unix socket → egress proxy (in the gateway, egress-proxy.ts) → allowed host.
 * A direct connection has no route, so `curl --noproxy '*'`, raw sockets and DNS all fail.
 *
 * `EgressGate.setup()` starts the proxy once (lazily, on the first exec) and returns what one
 * exec needs: read-only binds (the bridge's executable, from source also its script, and the
 * socket), the argv prefix that runs the bridge as the command's parent, and the proxy variables.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SandboxUnavailableError } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";
import { EGRESS_BRIDGE_ARG } from "./egress-bridge.ts";
import { startEgressProxy, type EgressLookup, type EgressProxy } from "./egress-proxy.ts";
import { parseEgressAllow } from "./egress-rules.ts";

/** Where the bridge's pieces appear inside the sandbox (the sandbox's own /tmp tmpfs). */
export const EGRESS_SANDBOX_DIR = "/tmp/.openclaw-egress";
/** The bridge's port on the sandbox's own loopback (its network namespace is private, so any port works). */
export const EGRESS_PORT = 3128;
/** pids-limit headroom for the bridge's threads (Bun runs about 5), so `limits.processes` stays the command's. */
export const EGRESS_BRIDGE_TASKS = 16;

export interface EgressTestHooks {
  /** host name → addresses (tests map a test name to 127.0.0.1) */
  lookup?: EgressLookup;
  /** the private-address check (tests let 127.0.0.1 through) */
  addressReason?: (ip: string) => string | undefined;
}

export interface EgressSetup {
  /** [host path, sandbox path], bound read-only */
  binds: [string, string][];
  /** the bridge argv to put in front of the inner command */
  prefix: string[];
  env: Record<string, string>;
}

export interface BridgeLauncher {
  /** executable to bind in: the openclaw binary, or bun when running from source */
  exe: string;
  /** the bridge script (from source only) */
  script?: string;
}

/**
 * How to start the bridge from this process: the compiled binary re-executes itself with a hidden
 * argument; from source, bun runs egress-bridge.ts. Node cannot run the TypeScript bridge.
 */
export function bridgeLauncher(
  env: { execPath: string; moduleUrl: string; bun: boolean } = { execPath: process.execPath, moduleUrl: import.meta.url, bun: Boolean(process.versions.bun) },
): BridgeLauncher | { error: string } {
  if (!env.bun) return { error: "the egress allowlist needs the openclaw binary or Bun to run its in-sandbox bridge (this process runs on Node)" };
  const compiled = env.moduleUrl.includes("/$bunfs/");
  const script = compiled ? undefined : fileURLToPath(new URL("./egress-bridge.ts", env.moduleUrl));
  try {
    const exe = realpathSync(env.execPath);
    return script ? { exe, script: realpathSync(script) } : { exe };
  } catch (err) {
    const what = (err as NodeJS.ErrnoException).path ?? env.execPath;
    return { error: `the egress bridge cannot be found (${what}: ${(err as NodeJS.ErrnoException).code ?? String(err)}); run the compiled openclaw binary or src/main.ts from a checkout` };
  }
}

export class EgressGate {
  private proxy: Promise<EgressProxy> | undefined;

  constructor(
    readonly allow: readonly string[],
    private readonly log: Logger,
    private readonly hooks: EgressTestHooks = {},
  ) {}

  async setup(): Promise<EgressSetup> {
    const launcher = bridgeLauncher();
    if ("error" in launcher) throw new SandboxUnavailableError(launcher.error);
    this.proxy ??= startEgressProxy({ rules: parseEgressAllow(this.allow).rules, log: this.log, ...this.hooks }).catch((err: unknown) => {
      this.proxy = undefined;
      throw new SandboxUnavailableError(`the egress proxy cannot start: ${(err as Error).message}; set TMPDIR to a short, writable folder`);
    });
    const proxy = await this.proxy;
    const dir = EGRESS_SANDBOX_DIR;
    const binds: [string, string][] = [[launcher.exe, `${dir}/openclaw`], [proxy.socketPath, `${dir}/proxy.sock`]];
    if (launcher.script) binds.push([launcher.script, `${dir}/bridge.ts`]);
    const prefix = [`${dir}/openclaw`, launcher.script ? `${dir}/bridge.ts` : EGRESS_BRIDGE_ARG, `${dir}/proxy.sock`, String(EGRESS_PORT), "--"];
    const url = `http://127.0.0.1:${EGRESS_PORT}`;
    const noProxy = "localhost,127.0.0.1,::1"; // the sandbox's own loopback: never leaves it
    const env = { HTTP_PROXY: url, HTTPS_PROXY: url, ALL_PROXY: url, http_proxy: url, https_proxy: url, all_proxy: url, NO_PROXY: noProxy, no_proxy: noProxy };
    return { binds, prefix, env };
  }

  async close(): Promise<void> {
    const p = this.proxy;
    this.proxy = undefined;
    if (p) await (await p.catch(() => null))?.close();
  }
}
