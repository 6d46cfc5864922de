// Shared set-up for the bubblewrap tests: a fake host (HOME with an SSH key and .bashrc, a state
// dir with a token and a database), a secret in process.env, and executors at both levels.
import { accessSync, constants, existsSync, mkdirSync, rmSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll } from "bun:test";
import type { Logger } from "../../src/core/log.ts";
import type { SandboxConfig } from "../../src/config/schema.ts";
import { BwrapExecutor } from "../../src/sandbox/bwrap.ts";
import { resolveSandbox } from "../../src/sandbox/config.ts";

export const LEVELS = ["standard", "strict"] as const;

export const quietLog: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  trace: () => {},
  enabled: () => false,
  child: () => quietLog,
};

export interface FakeHost {
  home: string;
  state: string;
  secret: string;
  sshKey: string;
  sshKeyText: string;
  bashrc: string;
  token: string;
}

let host: FakeHost | undefined;

/** Folders the sandbox replaces with an empty tmpfs (standard level), where a test fixture would prove nothing. */
const MASKED = ["/tmp", "/var/tmp", "/root", "/home", "/run"];

/**
 * A writable folder that the sandbox sees as part of the read-only host root: the current
 * directory when it qualifies, else a system folder (CI may clone under /tmp or /root, which are
 * tmpfs inside the sandbox, so a fixture there would hide a missing mask).
 */
export function visibleHostBase(): string {
  for (const dir of [process.cwd(), "/var/lib", "/opt", "/srv"]) {
    if (MASKED.some((m) => dir === m || dir.startsWith(m + "/"))) continue;
    try {
      accessSync(dir, constants.W_OK);
      return dir;
    } catch {
      // not writable: try the next one
    }
  }
  throw new Error("no writable folder outside /tmp, /root, /home and /run for the sandbox fixtures; run the tests from a checkout elsewhere");
}

/**
 * Creates the fake host once per test process, in a folder the sandbox sees read-only (see
 * visibleHostBase), so each mask the sandbox adds is really tested.
 */
export function fakeHost(): FakeHost {
  if (host) return host;
  sweepStaleHosts();
  const root = join(visibleHostBase(), `.sandbox-test-host-${process.pid}`);
  const home = join(root, "home");
  const state = join(home, ".openclaw");
  const secret = `sk-ant-api03-${crypto.randomUUID().replaceAll("-", "")}SECRET`;
  process.env.ANTHROPIC_API_KEY = secret; // the gateway holds it; no tool may ever see it
  mkdirSync(join(home, ".ssh"), { recursive: true, mode: 0o700 });
  const sshKey = join(home, ".ssh", "id_rsa");
  const sshKeyText = "-----BEGIN OPENSSH PRIVATE KEY-----\nFAKE-KEY-FOR-TESTS\n";
  writeFileSync(sshKey, sshKeyText, { mode: 0o600 });
  const bashrc = join(home, ".bashrc");
  writeFileSync(bashrc, "# original\n");
  mkdirSync(join(state, "credentials"), { recursive: true });
  mkdirSync(join(state, "state"), { recursive: true });
  const token = join(state, "credentials", "gateway-token");
  writeFileSync(token, `tok_${crypto.randomUUID()}`);
  writeFileSync(join(state, "state", "openclaw.db"), "not really sqlite");
  host = { home, state, secret, sshKey, sshKeyText, bashrc, token };
  return host;
}

/**
 * Call at the top level of each test file that uses the fake host: after the file, the fake host
 * is removed and the fake secret leaves process.env (other suites run in the same process).
 */
export function useFakeHost(): FakeHost {
  const h = fakeHost();
  afterAll(() => {
    if (process.env.ANTHROPIC_API_KEY === h.secret) delete process.env.ANTHROPIC_API_KEY;
    rmSync(dirname(h.home), { recursive: true, force: true });
    host = undefined;
  });
  return h;
}

/** Removes fake hosts left by earlier test processes that are gone. */
function sweepStaleHosts(): void {
  const base = visibleHostBase();
  for (const name of readdirSync(base)) {
    const pid = /^\.sandbox-test-host-(\d+)$/.exec(name)?.[1];
    if (!pid || Number(pid) === process.pid) continue;
    try {
      process.kill(Number(pid), 0);
    } catch {
      rmSync(join(base, name), { recursive: true, force: true });
    }
  }
}

export function bwrapExecutor(level: "standard" | "strict", over: Partial<SandboxConfig> = {}, workspace?: string): BwrapExecutor {
  const h = fakeHost();
  const ws = workspace ?? join(h.state, `workspace-${level}`);
  const cfg = resolveSandbox({ level, ...over, limits: { timeoutMs: 20_000, ...over.limits } as SandboxConfig["limits"] }, { workspace: ws, home: h.home, stateDir: h.state });
  return new BwrapExecutor(cfg, { log: quietLog, hostEnv: { ...process.env } });
}

/** Host pids whose command line contains `marker` (other than this test process). */
export function pidsWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").includes(marker)) found.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** Polls (bounded: `ms`) until no host process carries `marker`; returns what is left. */
export async function waitNoMarker(marker: string, ms = 3000): Promise<number[]> {
  const end = Date.now() + ms;
  let left = pidsWithMarker(marker);
  while (left.length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    left = pidsWithMarker(marker);
  }
  return left;
}

