// The dashboard e2e's world: the compiled binary's gateway (dist/openclaw, rebuilt when stale)
// with the Telegram channel in pairing mode against the fake Bot API, the agent against the fake
// Anthropic API (echo by default, scripted per test with `model.enqueue`), the standard sandbox
// (bubblewrap), and its config file on disk where config edits land. Both fakes run in this
// process, so a test scripts them and reads what they recorded directly.
//
// `dashboardCode()` runs `openclaw dashboard --json --no-open` against that gateway: the one-time
// login URL a person would open.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic.ts";
import { FAKE_TOKEN, FakeTelegram } from "../fakes/telegram.ts";
import { spawnGateway, tempState, type GatewayChild } from "../gateway/process.ts";
import { BUILT, freshBinary } from "./fresh-binary.ts";
import { stopGateway } from "./binary-gateway.ts";

export { reply };

export const GATEWAY_TOKEN = "e2e-dashboard-token-" + "d".repeat(32);
export const MODEL_KEY = "sk-ant-e2e-dashboard-" + "k".repeat(24);

export interface DashboardRig {
  gw: GatewayChild;
  /** http://127.0.0.1:<port>, the page's origin */
  origin: string;
  model: FakeAnthropic;
  telegram: FakeTelegram;
  configPath: string;
  stateDir: string;
  /** the compiled binary the gateway runs */
  binary: string;
  gatewayToken: string;
  modelKey: string;
  /** the env that points the CLI at this gateway */
  env: Record<string, string>;
  /** the config file's current text */
  configText(): string;
  stop(): Promise<void>;
}

function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = s.port!;
  s.stop(true);
  return port;
}

/** Starts the fakes and the compiled gateway; `stop()` ends all three (the gateway must exit 0). */
export async function startDashboardRig(extra: Record<string, unknown> = {}): Promise<DashboardRig> {
  freshBinary();
  const model = await startFakeAnthropic({ fallback: "echo", apiKey: MODEL_KEY });
  const telegram = await new FakeTelegram({ maxPollWaitMs: 500 }).start();
  const config = {
    gateway: { port: freePort(), auth: { mode: "token", token: GATEWAY_TOKEN } },
    agents: { defaults: { model: "anthropic/claude-sonnet-4-5", sandbox: { level: "standard" } } },
    models: { providers: { anthropic: { baseUrl: model.url, apiKey: MODEL_KEY } } },
    channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: telegram.url, dmPolicy: "pairing", pollTimeoutSeconds: 1 } },
    logging: { level: "info" },
    ...extra,
  };
  const { stateDir, configPath } = tempState(config);
  const env = { OPENCLAW_STATE_DIR: stateDir, OPENCLAW_CONFIG_PATH: configPath };
  let gw: GatewayChild;
  try {
    gw = await spawnGateway({ stateDir, configPath, cmd: [BUILT], args: [] }).started;
  } catch (err) {
    await Promise.all([model.stop(), telegram.stop()]);
    throw err;
  }
  return {
    gw,
    origin: gw.url,
    model,
    telegram,
    configPath,
    stateDir,
    binary: BUILT,
    gatewayToken: GATEWAY_TOKEN,
    modelKey: MODEL_KEY,
    env,
    configText: () => readFileSync(configPath, "utf8"),
    stop: async () => {
      try {
        const code = await stopGateway(gw);
        if (code !== 0) throw new Error(`the gateway exited ${code}:\n${gw.stderr()}`);
      } finally {
        await Promise.all([model.stop(), telegram.stop()]);
      }
    },
  };
}

export interface DashboardCode {
  code: string;
  expiresAt: number;
  url: string;
}

/** `openclaw dashboard --json --no-open` against the rig's gateway; throws with its output on failure. */
export async function dashboardCode(rig: DashboardRig): Promise<DashboardCode> {
  const proc = Bun.spawn([BUILT, "dashboard", "--json", "--no-open"], {
    cwd: rig.stateDir,
    env: { ...process.env, ...rig.env, NO_COLOR: "1" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  if (code !== 0) throw new Error(`openclaw dashboard --json --no-open exited ${code}:\n${out}\n${err}`);
  const parsed = JSON.parse(out) as Partial<DashboardCode> & { ok?: boolean; result?: DashboardCode };
  const body = (parsed.result ?? parsed) as DashboardCode;
  if (typeof body.url !== "string" || typeof body.code !== "string") throw new Error(`openclaw dashboard --json printed no {code, url}: ${out}`);
  return body;
}

/** The rig's state dir path of a file (for reading what the gateway wrote). */
export const statePath = (rig: DashboardRig, ...parts: string[]) => join(rig.stateDir, ...parts);
