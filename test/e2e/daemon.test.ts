// e2e: the compiled binary as a service. `daemon install --print` puts the binary itself in
// ExecStart and passes systemd-analyze verify; `daemon install` in a temp HOME writes the unit and
// exits 1 because this machine has no reachable systemd; under NOTIFY_SOCKET the binary sends
// READY=1 once it answers HTTP and STOPPING=1 at SIGTERM (bun:ffi works inside the compiled binary).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../cli/run.ts";
import { listenNotify, parseState, type NotifyListener } from "../daemon/notify-listener.ts";
import { TOKEN } from "../gateway/helpers.ts";
import { spawnGateway, tempState } from "../gateway/process.ts";
import { freshBinary } from "./fresh-binary.ts";

let BIN = "";
let listener: NotifyListener | undefined;
beforeAll(() => {
  BIN = freshBinary();
}, 300_000);
afterAll(() => listener?.close());

function home(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "e2e-daemon-"));
  mkdirSync(join(dir, "home"));
  // no user bus to find, whatever the host runs: systemctl --user is unreachable for certain
  return { XDG_RUNTIME_DIR: join(dir, "run"), DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, "no-bus")}`, HOME: join(dir, "home"), OPENCLAW_STATE_DIR: join(dir, "state"), OPENCLAW_CONFIG_PATH: join(dir, "state", "openclaw.json") };
}

test("install --print: ExecStart is the binary itself, and systemd-analyze verify has no finding", () => {
  const env = home();
  const r = runCli(["daemon", "install", "--print"], env, { bin: BIN });
  expect(r.code).toBe(0);
  expect(r.stdout.split("\n")).toContain(`ExecStart="${BIN}" "gateway" "run"`);
  const file = join(mkdtempSync(join(tmpdir(), "unit-")), "openclaw-gateway.service");
  writeFileSync(file, r.stdout);
  const v = Bun.spawnSync(["systemd-analyze", "verify", "--man=no", file], { stdout: "pipe", stderr: "pipe" });
  expect({ code: v.exitCode, out: (v.stdout.toString() + v.stderr.toString()).trim() }).toEqual({ code: 0, out: "" });
});

test("install in a temp HOME writes the unit and reports the service manager as unreachable, exit 1", () => {
  const env = home();
  const r = runCli(["daemon", "install"], env, { bin: BIN });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("could not enable the service:");
  expect(r.stderr).toContain("openclaw gateway run");
  const unit = readFileSync(join(env.HOME!, ".config", "systemd", "user", "openclaw-gateway.service"), "utf8");
  expect(unit).toContain(`ExecStart="${BIN}" "gateway" "run"`);
});

test("gateway run under NOTIFY_SOCKET: READY=1 after listening, STOPPING=1 at SIGTERM", async () => {
  listener = await listenNotify();
  const st = tempState({ gateway: { auth: { token: TOKEN } }, agents: { defaults: { sandbox: { level: "off" } } } });
  const child = spawnGateway({ ...st, cmd: [BIN], env: { NOTIFY_SOCKET: listener.socket } });
  try {
    const ready = parseState(await listener.next(30_000));
    expect(ready.READY).toBe("1");
    const url = /listening on (\S+)/.exec(ready.STATUS ?? "")?.[1];
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    child.proc.kill("SIGTERM");
    expect(parseState(await listener.next()).STOPPING).toBe("1");
    expect(await child.proc.exited).toBe(0);
  } finally {
    if (child.proc.exitCode === null) child.proc.kill("SIGKILL");
  }
}, 60_000);
