// The systemd unit as rendered: the keys issue 10 asks for, quoting systemd reads back as written,
// no secret in it, and `systemd-analyze verify` accepting it with no complaint at all.
import { expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderSystemdUnit, systemdQuote } from "../../src/daemon/systemd.ts";
import { gatewayCommand, secretsFromEnv, type ServiceSpec } from "../../src/daemon/spec.ts";

const REPO = join(import.meta.dir, "..", "..");
const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({
  command: gatewayCommand(process.execPath, join(REPO, "src", "main.ts")),
  env: { OPENCLAW_STATE_DIR: "/srv/open claw/state", OPENCLAW_CONFIG_PATH: "/srv/open claw/100%/openclaw.json" },
  secretEnv: {},
  stateDir: "/srv/open claw/state",
  timeoutStopSec: 25,
  ...over,
});

/** systemd-analyze verify in system mode (the user manager is not reachable in a container); every line it prints is a finding. */
function verify(unit: string): { code: number; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "unit-"));
  const file = join(dir, "openclaw-gateway.service");
  writeFileSync(file, unit);
  const r = Bun.spawnSync(["systemd-analyze", "verify", "--man=no", file], { stdout: "pipe", stderr: "pipe", env: { ...process.env, SYSTEMD_LOG_COLOR: "0" } });
  return { code: r.exitCode ?? -1, out: (r.stdout.toString() + r.stderr.toString()).trim() };
}

test("the user unit has Type=notify, the restart policy, the stop timeout and the absolute command", () => {
  const unit = renderSystemdUnit(spec(), { system: false });
  const lines = unit.split("\n");
  for (const l of ["Type=notify", "Restart=always", "RestartSec=5", "RestartPreventExitStatus=78", "KillMode=control-group", "TimeoutStopSec=25", "WantedBy=default.target"]) {
    expect(lines).toContain(l);
  }
  // from source: <bun> <abs src/main.ts> gateway run
  expect(lines).toContain(`ExecStart="${process.execPath}" "${join(REPO, "src", "main.ts")}" "gateway" "run"`);
  expect(lines).toContain('Environment="OPENCLAW_STATE_DIR=/srv/open claw/state"');
  expect(lines).toContain('Environment="OPENCLAW_CONFIG_PATH=/srv/open claw/100%%/openclaw.json"');
  expect(unit).not.toContain("network-online"); // a user manager has no such target
});

test("a compiled binary runs itself: ExecStart=<binary> gateway run", () => {
  expect(gatewayCommand("/opt/openclaw/bin/openclaw", "/$bunfs/root/openclaw")).toEqual(["/opt/openclaw/bin/openclaw", "gateway", "run"]);
});

test("the system unit is wanted by multi-user.target and waits for the network", () => {
  const unit = renderSystemdUnit(spec(), { system: true, envFile: "/root/.openclaw/credentials/daemon.env" });
  expect(unit).toContain("WantedBy=multi-user.target");
  expect(unit).toContain("After=network-online.target");
  expect(unit.split("\n")).toContain("EnvironmentFile=/root/.openclaw/credentials/daemon.env");
});

test("quoting: backslash, quote, % and (in ExecStart) $ are escaped; a newline is refused", () => {
  expect(systemdQuote('a "b" \\c 5%')).toBe('"a \\"b\\" \\\\c 5%%"');
  expect(systemdQuote("$HOME", { exec: true })).toBe('"$$HOME"');
  expect(() => renderSystemdUnit(spec({ env: { OPENCLAW_STATE_DIR: "/a\nExecStartPre=/bin/evil" } }), { system: false })).toThrow(/newline/);
});

test("secrets from the environment go to the env file list, never into the unit", () => {
  const token = "gw-token-" + "t".repeat(40);
  const secrets = secretsFromEnv({ OPENCLAW_GATEWAY_TOKEN: token, MY_KEY: "sk-ant-x" + "y".repeat(30), OTHER: "z" }, '{ models: { providers: { anthropic: { apiKey: "${MY_KEY}" } } }, x: "$${OTHER}" }');
  expect(Object.keys(secrets)).toEqual(["MY_KEY", "OPENCLAW_GATEWAY_TOKEN"]);
  const unit = renderSystemdUnit(spec({ secretEnv: secrets }), { system: false, envFile: "/home/a/.openclaw/credentials/daemon.env" });
  expect(unit).not.toContain(token);
  expect(unit).not.toContain("sk-ant-x");
  expect(unit.split("\n")).toContain("EnvironmentFile=/home/a/.openclaw/credentials/daemon.env");
});

test("systemd-analyze verify accepts the user and system units without a single finding", () => {
  for (const system of [false, true]) {
    const r = verify(renderSystemdUnit(spec(), { system, envFile: "/srv/open claw/100%/daemon.env" }));
    expect(r).toEqual({ code: 0, out: "" });
  }
});

test("systemd-analyze verify is a real check: a broken unit is reported", () => {
  const broken = renderSystemdUnit(spec(), { system: false }).replace("Restart=always", "Restart=sometimes");
  expect(verify(broken).out).toMatch(/restart specifier/i);
});
