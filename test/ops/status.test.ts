// `status` against a real gateway on a free port (in this process), and offline: the running
// gateway's own figures through POST /rpc with the token file; when none runs, the offline facts.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gatewayLockPath, gatewayTokenPath } from "../../src/config/paths.ts";
import { runGatewayProcess } from "../../src/app/gateway-process.ts";
import { GatewayStatusError, gatewayStatus } from "../../src/ops/status.ts";
import { FAKE_KEY, freePort, tempHome } from "../cli/doctor-run.ts";

setDefaultTimeout(30_000);

const h = tempHome();
const saved = { state: process.env.OPENCLAW_STATE_DIR, config: process.env.OPENCLAW_CONFIG_PATH };
process.env.OPENCLAW_STATE_DIR = h.state;
process.env.OPENCLAW_CONFIG_PATH = h.config;
afterAll(() => {
  process.env.OPENCLAW_STATE_DIR = saved.state;
  process.env.OPENCLAW_CONFIG_PATH = saved.config;
  rmSync(h.dir, { recursive: true, force: true });
});

async function configure(): Promise<number> {
  const port = await freePort();
  h.writeConfig({ gateway: { port }, models: { providers: { anthropic: { apiKey: FAKE_KEY } } }, agents: { defaults: { sandbox: { level: "off" } } } });
  return port;
}

test("no gateway: running false, with config path, state dir and database size", async () => {
  const port = await configure();
  const r = await gatewayStatus();
  expect(r.running).toBe(false);
  if (r.running) return;
  expect(r.url).toBe(`http://127.0.0.1:${port}`);
  expect(r.reason).toContain("no gateway is running");
  expect(r.offline).toMatchObject({ configPath: h.config, configExists: true, stateDir: h.state, databaseBytes: null, daemon: null });
});

test("a running gateway answers with version, uptime, bind, sessions, runs, channels, RSS and store size", async () => {
  const port = await configure();
  const gw = await runGatewayProcess({ signals: false, version: "9.9.9-test" });
  try {
    expect(gw.port).toBe(port);
    const r = await gatewayStatus();
    expect(r.running).toBe(true);
    if (!r.running) return;
    expect(r.gateway).toMatchObject({ version: "9.9.9-test", bind: "127.0.0.1", port, sessions: 0, runsInFlight: 0, channels: [], stateDir: h.state });
    expect(r.gateway.uptimeS).toBeGreaterThanOrEqual(0);
    expect(r.gateway.rssBytes as number).toBeGreaterThan(0);
    expect(r.gateway.storeBytes as number).toBeGreaterThan(0);
  } finally {
    await gw.stop();
  }
});

test("a gateway that refuses the token is an error naming where the token came from, not 'not running'", async () => {
  await configure();
  const gw = await runGatewayProcess({ signals: false, token: "a-different-token-0123456789abcdefghijklmnopqrstuv" });
  try {
    const err = await gatewayStatus().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayStatusError);
    expect((err as Error).message).toContain("refused the token from");
    expect((err as Error).message).not.toContain("a-different-token");
  } finally {
    await gw.stop();
  }
});

test("the daemon unit's state is reported when a unit file exists", async () => {
  await configure();
  const unit = join(h.env.HOME!, ".config", "systemd", "user", "openclaw-gateway.service");
  mkdirSync(join(unit, ".."), { recursive: true });
  writeFileSync(unit, "[Service]\n");
  chmodSync(unit, 0o644);
  const saveHome = process.env.HOME;
  process.env.HOME = h.env.HOME;
  try {
    const r = await gatewayStatus();
    if (r.running) throw new Error("expected no gateway");
    expect(r.offline.daemon?.unit).toBe(unit);
    expect(r.offline.daemon?.state.length).toBeGreaterThan(0);
  } finally {
    process.env.HOME = saveHome;
  }
});

test("a process on the port that is not this state dir's gateway (no lock, or a stale lock's reused pid) is never sent the token", async () => {
  const seen: string[] = [];
  const stranger = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      seen.push(`${req.method} ${new URL(req.url).pathname} ${req.headers.get("authorization") ?? ""}`);
      return Response.json({ jsonrpc: "2.0", id: 1, result: { version: "not-ours" } });
    },
  });
  try {
    h.writeConfig({ gateway: { port: stranger.port }, models: { providers: { anthropic: { apiKey: FAKE_KEY } } } });
    const token = "stranger-must-not-see-0123456789abcdefghijklmnopqrstuvwxyz";
    mkdirSync(dirname(gatewayTokenPath()), { recursive: true, mode: 0o700 });
    writeFileSync(gatewayTokenPath(), `${token}\n`, { mode: 0o600 });
    const r = await gatewayStatus();
    expect(r.running).toBe(false);
    expect(seen.filter((s) => s.includes(token))).toEqual([]);
    // a stale lock whose pid was reused (here: this live process), the stranger answering 200 to everything
    mkdirSync(dirname(gatewayLockPath()), { recursive: true });
    writeFileSync(gatewayLockPath(), `${process.pid}\n`);
    const stale = await gatewayStatus();
    expect(stale.running).toBe(false);
    expect(seen.some((s) => s.startsWith("GET /healthz"))).toBe(true);
    expect(seen.filter((s) => s.includes(token))).toEqual([]);
    rmSync(gatewayLockPath());
    rmSync(gatewayTokenPath());
  } finally {
    stranger.stop(true);
  }
});
