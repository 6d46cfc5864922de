// e2e: the compiled binary's `doctor` and `status` in a temp HOME: a fresh home repaired by
// --fix, then a running `gateway run` seen by both (doctor: our gateway holds the port; status:
// the gateway's own figures), and `status` after it stopped. The daemon unit naming this binary.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnGateway } from "../gateway/process.ts";
import { check, FAKE_KEY, freePort, run, tempHome, type Check } from "../cli/doctor-run.ts";
import { freshBinary } from "./fresh-binary.ts";

setDefaultTimeout(120_000);
const h = tempHome();
afterAll(() => rmSync(h.dir, { recursive: true, force: true }));

async function doctorJson(...flags: string[]): Promise<{ code: number; checks: Check[]; repairs: string[] }> {
  const r = await run(["doctor", "--json", ...flags], h.env, freshBinary());
  return { code: r.code, ...JSON.parse(r.stdout) };
}

test("compiled binary: doctor --fix on a fresh home, then doctor and status against the running gateway", async () => {
  const bin = freshBinary();
  const port = await freePort();
  h.writeConfig({ gateway: { port }, models: { providers: { anthropic: { apiKey: FAKE_KEY } } }, agents: { defaults: { sandbox: { level: "off" } } } }, 0o644);
  const unit = join(h.env.HOME!, ".config", "systemd", "user", "openclaw-gateway.service");
  mkdirSync(join(unit, ".."), { recursive: true });
  writeFileSync(unit, `[Service]\nExecStart="${bin}" "gateway" "run"\n`); // as daemon install writes it

  const fixed = await doctorJson("--fix");
  expect(fixed.code).toBe(0);
  expect(fixed.repairs).toContain(`chmod 600 ${h.config}`);
  expect(fixed.repairs.some((r) => r.startsWith("generated a gateway token"))).toBe(true);
  expect(check(fixed.checks, "daemon").status).toBe("ok");
  expect(check(fixed.checks, "port").message).toBe(`port 127.0.0.1:${port} is free`);

  const offline = JSON.parse((await run(["status", "--json"], h.env, bin)).stdout);
  expect(offline).toMatchObject({ ok: true, running: false, offline: { configPath: h.config, stateDir: h.state } });
  expect(offline.offline.daemon.unit).toBe(unit);

  const gw = await spawnGateway({ stateDir: h.state, configPath: h.config, cmd: [bin], args: [], env: { HOME: h.env.HOME! } }).started;
  try {
    expect(gw.port).toBe(port);
    const live = await doctorJson();
    expect(check(live.checks, "port")).toMatchObject({ status: "ok", message: `an openclaw gateway answers on 127.0.0.1:${port}` });
    expect(check(live.checks, "database").status).toBe("ok"); // read-only quick_check beside the running gateway
    const st = await run(["status", "--json"], h.env, bin);
    expect(st.code).toBe(0);
    const s = JSON.parse(st.stdout);
    expect(s.running).toBe(true);
    expect(s.gateway).toMatchObject({ sessions: 0, runsInFlight: 0, stateDir: h.state });
    expect(typeof s.gateway.version).toBe("string");
    expect(s.gateway.storeBytes).toBeGreaterThan(0);
    const text = await run(["status"], h.env, bin);
    expect(text.stdout).toContain(`gateway:   running at http://127.0.0.1:${port}`);
  } finally {
    gw.proc.kill("SIGTERM");
    expect(await gw.exited).toBe(0);
  }
  const after = JSON.parse((await run(["status", "--json"], h.env, bin)).stdout);
  expect(after.running).toBe(false);
  expect(after.offline.databaseBytes).toBeGreaterThan(0);
});
