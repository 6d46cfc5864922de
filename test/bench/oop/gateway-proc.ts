/**
 * The processes of an out-of-process benchmark, each in its own OS process as a user runs them:
 *   - the compiled binary (`dist/openclaw gateway run`, rebuilt when stale) with its default config
 *     plus only what a user must set: the provider's key and base URL and the gateway token;
 *   - the load fake of the Anthropic API (test/fakes/anthropic-load.ts) over real HTTP;
 *   - the floors (floor.ts) and the load generator (drive.ts), started by the benchmark.
 * Every child gets a private HOME and state dir; nothing touches ~/.openclaw.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILT, freshBinary } from "../../e2e/fresh-binary.ts";
import { ROOT, spawnGateway, type GatewayChild } from "../../gateway/process.ts";

export const BENCH_TOKEN = "bench-token-" + "b".repeat(32);

export interface Child {
  proc: Bun.Subprocess;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** Spawns `cmd` and resolves with the value of the first `NAME=value` line it prints on stdout. */
export async function spawnWithLine(cmd: string[], name: string, env: Record<string, string | undefined> = process.env): Promise<Child> {
  const proc = Bun.spawn(cmd, { cwd: ROOT, stdout: "pipe", stderr: "inherit", stdin: "ignore", env });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  let out = "";
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = new RegExp(`^${name}=(\\S+)$`, "m").exec(out);
    if (m) {
      void (async () => {
        while (!(await reader.read()).done) {}
      })();
      return { proc, pid: proc.pid, url: m[1]!, stop: async () => void (proc.kill("SIGTERM"), await proc.exited) };
    }
    if (Date.now() > deadline) throw new Error(`${cmd.join(" ")} printed no ${name}= line within 20 s:\n${out}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`${cmd.join(" ")} exited before printing ${name}=:\n${out}`);
    out += dec.decode(value, { stream: true });
  }
}

/** The load fake of the Anthropic API in its own process. */
export function startProvider(): Promise<Child> {
  return spawnWithLine([process.execPath, join(ROOT, "test/fakes/anthropic-load.ts"), "--port", "0"], "FAKE_ANTHROPIC_URL");
}

export interface BinaryGateway extends Child {
  stateDir: string;
  port: number;
  gateway: GatewayChild;
  /** database + WAL bytes on disk */
  storedBytes(): number;
}

/**
 * The compiled binary with the default config, pointed at `providerUrl`. `config` is merged over
 * the minimal file (for a bench that varies one knob); `args` are extra `gateway run` options.
 */
export async function startBinary(providerUrl: string, opts: { config?: Record<string, unknown>; env?: Record<string, string>; wrap?: string[] } = {}): Promise<BinaryGateway> {
  freshBinary();
  const stateDir = mkdtempSync(join(tmpdir(), "bench-oop-"));
  const configPath = join(stateDir, "openclaw.json");
  const config = {
    models: { providers: { anthropic: { apiKey: "sk-ant-bench-" + "k".repeat(24), baseUrl: providerUrl } } },
    gateway: { auth: { token: BENCH_TOKEN } },
    ...(opts.config ?? {}),
  };
  writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  const env = { HOME: stateDir, ...(opts.env ?? {}) };
  const started = spawnGateway({ stateDir, configPath, cmd: [...(opts.wrap ?? []), BUILT], env }).started;
  const gw = await started;
  const dbPath = join(stateDir, "state", "openclaw.db");
  return {
    proc: gw.proc,
    pid: gw.proc.pid,
    url: gw.url,
    port: gw.port,
    stateDir,
    gateway: gw,
    storedBytes: () => fileSize(dbPath) + fileSize(`${dbPath}-wal`),
    stop: async () => {
      gw.proc.kill("SIGTERM");
      await gw.proc.exited;
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

function fileSize(path: string): number {
  try {
    return Bun.file(path).size;
  } catch {
    return 0;
  }
}

/** Resident set size of `pid` in bytes (Linux /proc; NaN elsewhere). */
export function rssOf(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** user+sys CPU time of `pid` in ms (Linux /proc; NaN elsewhere). */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}
