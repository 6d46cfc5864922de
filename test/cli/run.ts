// Runs the real CLI as a subprocess (`bun src/main.ts …`) in a private state dir.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const repoRoot = join(import.meta.dir, "..", "..");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function tempState(): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), "cli-"));
  return { dir, env: { OPENCLAW_STATE_DIR: join(dir, "state"), OPENCLAW_CONFIG_PATH: join(dir, "state", "openclaw.json") } };
}

export function runCli(args: string[], env: Record<string, string> = {}, opts: { preload?: string; bin?: string } = {}): RunResult {
  const cmd = opts.bin ? [opts.bin, ...args] : [process.execPath, ...(opts.preload ? ["--preload", opts.preload] : []), join(repoRoot, "src", "main.ts"), ...args];
  const r = Bun.spawnSync(cmd, {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 20_000,
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}
