/** Runs a service-manager program (systemctl, journalctl, launchctl) found on PATH; never throws. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const NOT_FOUND = 127;

export function which(program: string, env: Record<string, string | undefined> = process.env): string | null {
  return Bun.which(program, { PATH: env.PATH ?? "" });
}

export function runProgram(argv: string[], opts: { inherit?: boolean; timeoutMs?: number } = {}): RunResult {
  const path = which(argv[0]!);
  if (!path) return { code: NOT_FOUND, stdout: "", stderr: `${argv[0]} not found on PATH` };
  const r = Bun.spawnSync([path, ...argv.slice(1)], {
    stdin: opts.inherit ? "inherit" : "ignore",
    stdout: opts.inherit ? "inherit" : "pipe",
    stderr: opts.inherit ? "inherit" : "pipe",
    env: { ...process.env, SYSTEMD_PAGER: "", SYSTEMD_COLORS: "0", PAGER: "cat" },
    ...(opts.inherit ? {} : { timeout: opts.timeoutMs ?? 30_000 }),
  });
  return { code: r.exitCode ?? 1, stdout: r.stdout?.toString() ?? "", stderr: r.stderr?.toString() ?? "" };
}

/** The first line a program printed on stderr (or stdout), for a plain "it said: …" in our messages. */
export function firstLine(r: RunResult): string {
  return (r.stderr.trim() || r.stdout.trim()).split("\n")[0]!.trim() || `exit ${r.code}`;
}
