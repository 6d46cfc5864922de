// Shared by the sessions/logs/pairing CLI tests: a private state dir with a seeded store, a free
// port for a real gateway process, and the CLI run as a subprocess against that state dir.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TOKEN } from "../gateway/helpers.ts";
import { spawnGateway, type GatewayChild } from "../gateway/process.ts";
import { openStore } from "../../src/store/sqlite.ts";
import { freePort, runCli, type RunResult } from "./run.ts";

export const KEY = "agent:main:telegram:direct:501";
export const OTHER = "agent:main:main";

export interface Home {
  stateDir: string;
  configPath: string;
  env: Record<string, string>;
  cli(args: string[], opts?: { bin?: string }): RunResult;
  /** `--json` run, parsed */
  json(args: string[], opts?: { bin?: string }): { code: number; body: Record<string, any>; stderr: string };
}

export function makeHome(config: Record<string, unknown> = {}): Home {
  const stateDir = mkdtempSync(join(tmpdir(), "ses-cli-"));
  const configPath = join(stateDir, "openclaw.json");
  const port = freePort();
  writeFileSync(configPath, JSON.stringify({ gateway: { port, auth: { token: TOKEN } }, ...config }), { mode: 0o600 });
  const env = { OPENCLAW_STATE_DIR: stateDir, OPENCLAW_CONFIG_PATH: configPath };
  const cli = (args: string[], opts: { bin?: string } = {}) => runCli(args, env, opts);
  return {
    stateDir,
    configPath,
    env,
    cli,
    json(args, opts) {
      const r = cli(["--json", ...args], opts);
      let body: Record<string, any>;
      try {
        body = JSON.parse(r.stdout);
      } catch {
        throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
      }
      return { code: r.code, body, stderr: r.stderr };
    },
  };
}

const text = (t: string) => [{ type: "text" as const, text: t }];

/** Two sessions: KEY with a full turn (a tool call and its result), OTHER with one message. */
export async function seed(stateDir: string): Promise<void> {
  // a clock that moves 1 s per write, a minute in the past: OTHER is strictly newer than KEY (two real
  // writes can share a millisecond), and anything a gateway writes later is newer still
  let t = Date.now() - 60_000;
  const store = await openStore(join(stateDir, "state", "openclaw.db"), { clock: () => (t += 1000) });
  await store.appendMany(
    KEY,
    [
      { data: { type: "run_started", runId: "run_1", model: "anthropic/claude-test" } },
      { data: { type: "user_message", runId: "run_1", message: { role: "user", content: text("list my files please") } } },
      {
        data: {
          type: "assistant_message",
          runId: "run_1",
          stopReason: "tool_use",
          message: { role: "assistant", content: [...text("Looking."), { type: "tool_use", id: "tu_1", name: "ls", input: { path: "." } }] },
        },
      },
      { data: { type: "tool_result", runId: "run_1", message: { role: "user", content: [{ type: "tool_result", toolUseId: "tu_1", isError: false, content: text("notes.md\n```fence```") }] } } },
      { data: { type: "assistant_message", runId: "run_1", stopReason: "end_turn", message: { role: "assistant", content: text("You have notes.md.") } } },
      { data: { type: "run_finished", runId: "run_1", outcome: "ok", durationMs: 12 } },
    ],
    { session: { channel: "telegram", peer: "501" } },
  );
  await store.append(OTHER, { data: { type: "user_message", runId: "run_2", message: { role: "user", content: text("hello") } } });
  await store.close();
}

/** `gateway run` of the source tree (or `cmd`) on the home's configured port. */
export async function startGateway(home: Home, cmd?: string[]): Promise<GatewayChild> {
  return spawnGateway({ stateDir: home.stateDir, configPath: home.configPath, args: [], ...(cmd ? { cmd } : {}) }).started;
}

export async function stopGateway(gw: GatewayChild): Promise<void> {
  gw.proc.kill("SIGTERM");
  const code = await gw.exited;
  if (code !== 0) throw new Error(`gateway exited ${code}:\n${gw.stderr()}`);
}
