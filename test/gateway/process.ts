// Runs `bun src/main.ts gateway run` (or the compiled binary) as a child process in a private
// state dir and finds its port from the one start line.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");

export interface GatewayChild {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  port: number;
  url: string;
  stateDir: string;
  /** everything the child wrote to stderr so far */
  stderr(): string;
  exited: Promise<number>;
}

export function tempState(config: Record<string, unknown>): { stateDir: string; configPath: string } {
  const stateDir = mkdtempSync(join(tmpdir(), "gw-proc-"));
  const configPath = join(stateDir, "openclaw.json");
  writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  return { stateDir, configPath };
}

export function spawnGateway(opts: { stateDir: string; configPath: string; args?: string[]; cmd?: string[]; env?: Record<string, string> }): {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  stderr: () => string;
  started: Promise<GatewayChild>;
} {
  const cmd = opts.cmd ?? [process.execPath, join(ROOT, "src/main.ts")];
  const proc = Bun.spawn([...cmd, "gateway", "run", ...(opts.args ?? ["--port", "0"])], {
    cwd: ROOT,
    env: { ...process.env, OPENCLAW_STATE_DIR: opts.stateDir, OPENCLAW_CONFIG_PATH: opts.configPath, NO_COLOR: "1", ...(opts.env ?? {}) },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let err = "";
  let resolveStart!: (c: GatewayChild) => void;
  let rejectStart!: (e: Error) => void;
  const started = new Promise<GatewayChild>((res, rej) => {
    resolveStart = res;
    rejectStart = rej;
  });
  started.catch(() => {}); // callers that only watch the exit code need not await it
  const timer = setTimeout(() => rejectStart(new Error(`gateway did not start within 20 s:\n${err}`)), 20_000);
  (async () => {
    const dec = new TextDecoder();
    for await (const chunk of proc.stderr) {
      err += dec.decode(chunk, { stream: true });
      const m = /gateway listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolveStart({ proc, port: Number(m[2]), url: m[1]!, stateDir: opts.stateDir, stderr: () => err, exited: proc.exited });
      }
    }
    clearTimeout(timer);
    rejectStart(new Error(`gateway exited before starting (code ${await proc.exited}):\n${err}`));
  })();
  void new Response(proc.stdout).text();
  return { proc, stderr: () => err, started };
}
