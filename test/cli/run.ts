// Runs the real CLI as a subprocess (`bun src/main.ts …`, or a built binary) in a private state dir:
// `runCli` blocks; `runCliAsync` keeps this process's event loop running (fakes served by the test
// keep answering). The one subprocess runner of test/cli/.
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
  const r = Bun.spawnSync(command(args, opts), {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 20_000,
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function command(args: string[], opts: { preload?: string; bin?: string }): string[] {
  return opts.bin ? [opts.bin, ...args] : [process.execPath, ...(opts.preload ? ["--preload", opts.preload] : []), join(repoRoot, "src", "main.ts"), ...args];
}

export async function runCliAsync(args: string[], env: Record<string, string> = {}, opts: { bin?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const p = Bun.spawn(command(args, opts), {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: opts.timeoutMs ?? 60_000,
  });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

/** A port nobody listens on right now (a gateway takes it a moment later). */
export function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}
