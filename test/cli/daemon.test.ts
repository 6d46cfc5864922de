// `openclaw daemon …` as a real subprocess in a temp HOME. On this machine (a container) systemd's
// user manager is unreachable: install writes the unit and exits 1 saying why, with `openclaw
// gateway run` as the alternative. A fake systemctl/journalctl on PATH (shell scripts that record
// their arguments) stands in for a reachable systemd to check the calls each verb makes.
import { expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempState } from "./run.ts";

function home(): { dir: string; env: Record<string, string>; unit: string } {
  const st = tempState();
  const h = join(st.dir, "home");
  mkdirSync(h);
  // no user bus to find, whatever the host runs: the real systemctl --user is unreachable for certain
  const noBus = { XDG_RUNTIME_DIR: join(st.dir, "run"), DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(st.dir, "no-bus")}` };
  return { dir: st.dir, env: { ...st.env, ...noBus, HOME: h }, unit: join(h, ".config", "systemd", "user", "openclaw-gateway.service") };
}

/** systemctl/journalctl stand-ins: append argv to calls.log; `fail` makes `systemctl <verb>` exit 1 like systemd does. */
function fakeSystemd(dir: string, opts: { fail?: string } = {}): { path: string; calls: () => string[] } {
  const bin = join(dir, "fakebin");
  mkdirSync(bin, { recursive: true });
  const log = join(dir, "calls.log");
  const script = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> '${log}'\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  script("systemctl", [
    opts.fail ? `case " $* " in *" ${opts.fail} "*) echo "Job for openclaw-gateway.service failed because the control process exited with error code." >&2; exit 1;; esac` : "",
    'case " $* " in *" --value "*) echo active;; *" status "*) echo "● openclaw-gateway.service - OpenClaw gateway";; esac',
    "exit 0",
  ].join("\n"));
  script("journalctl", 'echo "journal: gateway listening"');
  return { path: `${bin}:/usr/bin:/bin`, calls: () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []) };
}

test("install on a machine without a reachable systemd: unit written, plain reason, gateway run offered, exit 1", () => {
  const h = home();
  const r = runCli(["daemon", "install"], h.env);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("error: could not enable the service: no systemd user service manager is reachable");
  expect(r.stderr).toContain(`wrote ${h.unit}`);
  expect(r.stderr).toContain("openclaw gateway run");
  expect(readFileSync(h.unit, "utf8")).toContain("Type=notify");
  expect(existsSync(join(h.env.OPENCLAW_STATE_DIR!, "credentials", "daemon.env"))).toBe(false); // no secret in the environment

  const token = "gw-cli-token-" + "v".repeat(40);
  const withToken = runCli(["daemon", "install"], { ...h.env, OPENCLAW_GATEWAY_TOKEN: token });
  expect(withToken.code).toBe(1);
  const envFile = join(h.env.OPENCLAW_STATE_DIR!, "credentials", "daemon.env");
  expect(statSync(envFile).mode & 0o777).toBe(0o600);
  expect(readFileSync(envFile, "utf8")).toContain(`OPENCLAW_GATEWAY_TOKEN='${token}'`);
  expect(readFileSync(h.unit, "utf8")).toContain(`EnvironmentFile=${envFile}`);
  for (const text of [readFileSync(h.unit, "utf8"), withToken.stdout, withToken.stderr]) expect(text).not.toContain(token);

  const j = runCli(["--json", "daemon", "install"], h.env);
  expect(j.code).toBe(1);
  expect(JSON.parse(j.stdout).error.type).toBe("DaemonError");
});

test("--print shows the unit and installs nothing", () => {
  const h = home();
  const r = runCli(["daemon", "install", "--print"], h.env);
  expect(r.code).toBe(0);
  expect(r.stdout).toStartWith("[Unit]\n");
  expect(r.stdout).toContain('"gateway" "run"');
  expect(existsSync(h.unit)).toBe(false);
});

test("start/stop/restart/status/logs: not installed, then unreachable: exit 1 with the fix", () => {
  const h = home();
  for (const verb of ["start", "stop", "restart", "logs"]) {
    const r = runCli(["daemon", verb], h.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the service is not installed");
    expect(r.stderr).toContain("openclaw daemon install");
  }
  runCli(["daemon", "install"], h.env);
  for (const verb of ["start", "stop", "restart", "status", "logs"]) {
    const r = runCli(["daemon", verb], h.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no systemd user service manager is reachable");
    expect(r.stderr).toContain("openclaw gateway run");
  }
});

test("with a reachable systemd: install reloads, enables and restarts, and prints the linger hint", () => {
  const h = home();
  const fake = fakeSystemd(h.dir);
  const env = { ...h.env, PATH: fake.path };
  const r = runCli(["daemon", "install"], env);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(fake.calls()).toEqual([
    "systemctl --user show-environment",
    "systemctl --user daemon-reload",
    "systemctl --user enable openclaw-gateway.service",
    "systemctl --user restart openclaw-gateway.service",
  ]);
  expect(r.stdout).toContain("enabled and started the user service");
  expect(r.stdout).toMatch(/loginctl enable-linger \S+/); // no /var/lib/systemd/linger/<user> here

  for (const verb of ["start", "stop", "restart"]) {
    const a = runCli(["daemon", verb], env);
    expect(a.code).toBe(0);
    expect(fake.calls().slice(-2)).toEqual(["systemctl --user show-environment", `systemctl --user ${verb} openclaw-gateway.service`]);
  }

  const s = runCli(["--json", "daemon", "status"], env);
  expect(s.code).toBe(0);
  expect(JSON.parse(s.stdout).daemon).toMatchObject({ installed: true, reachable: true, state: "active", pointsAtThisBinary: true, unitPath: h.unit });

  const logs = runCli(["daemon", "logs", "-n", "5"], env);
  expect(logs.code).toBe(0);
  expect(logs.stdout).toContain("journal: gateway listening");
  expect(fake.calls().at(-1)).toBe("journalctl --user --unit openclaw-gateway.service --no-pager --lines 5");

  const u = runCli(["daemon", "uninstall"], env);
  expect(u.code).toBe(0);
  expect(fake.calls()).toContain("systemctl --user disable --now openclaw-gateway.service");
  expect(existsSync(h.unit)).toBe(false);
});

test("a failing systemctl step is reported as what it said, exit 1", () => {
  const h = home();
  const fake = fakeSystemd(h.dir, { fail: "restart" });
  const r = runCli(["daemon", "install"], { ...h.env, PATH: fake.path });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("could not enable the service: systemctl --user failed: Job for openclaw-gateway.service failed");
  expect(runCli(["daemon", "logs", "-n", "x"], { ...h.env, PATH: fake.path }).code).toBe(2);
});
