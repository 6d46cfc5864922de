// installDaemon / uninstallDaemon in-process, in a temp HOME: the LaunchAgent written on any OS
// (launchctl absent here → ok:false with the plain reason), --print writing nothing, --system
// refused without root, secrets from the environment in a 0600 file the unit only references.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { userInfo } from "node:os";
import { installDaemon, lingerHint, uninstallDaemon } from "../../src/daemon/install.ts";

const saved = { ...process.env };
let home = "";
let state = "";
beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), "install-"));
  home = join(dir, "home");
  state = join(dir, "state");
  mkdirSync(home);
  Object.assign(process.env, { HOME: home, OPENCLAW_STATE_DIR: state, OPENCLAW_CONFIG_PATH: join(state, "openclaw.json") });
  // never reach a real user manager from a test: systemctl --user finds no bus
  Object.assign(process.env, { XDG_RUNTIME_DIR: join(dir, "run"), DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, "no-bus")}` });
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

test("macOS: the LaunchAgent is written; without launchctl the result says why and offers gateway run", async () => {
  process.env.PATH = join(home, "empty-path"); // no launchctl, even on a Mac
  const r = await installDaemon({ platform: "darwin" });
  const plist = join(home, "Library", "LaunchAgents", "ai.openclaw.gateway.plist");
  expect(r.unitPath).toBe(plist);
  expect(r.ok).toBe(false);
  expect(r.message).toContain("could not enable the service: launchctl is not available");
  expect(r.message).toContain("openclaw gateway run");
  expect(readFileSync(plist, "utf8")).toContain("<key>KeepAlive</key><true/>");
  expect(statSync(join(state, "logs")).isDirectory()).toBe(true);
  const u = await uninstallDaemon({ platform: "darwin" });
  expect(u.ok).toBe(true);
  expect(existsSync(plist)).toBe(false);
});

test("--print renders the unit and writes nothing", async () => {
  const r = await installDaemon({ print: true, platform: "linux" });
  expect(r.ok).toBe(true);
  expect(r.unit).toContain("Type=notify");
  expect(r.message).toBe(r.unit!);
  expect(existsSync(join(home, ".config"))).toBe(false);
  expect(existsSync(state)).toBe(false);
});

test("--system without root is refused before anything is written", async () => {
  const before = existsSync("/etc/systemd/system/openclaw-gateway.service");
  const r = await installDaemon({ system: true, platform: "linux", uid: 1000 });
  expect(r.ok).toBe(false);
  expect(r.message).toContain("needs root: run it with sudo, or drop --system");
  expect(existsSync("/etc/systemd/system/openclaw-gateway.service")).toBe(before);
  expect((await installDaemon({ system: true, platform: "darwin" })).message).toContain("--system is for Linux");
});

test("a secret the config references as ${VAR} goes to a 0600 env file; the unit names the file only", async () => {
  const secret = "sk-ant-daemon-" + "s".repeat(30);
  mkdirSync(state, { recursive: true });
  writeFileSync(join(state, "openclaw.json"), '{ models: { providers: { anthropic: { apiKey: "${MY_PROVIDER_KEY}" } } } }', { mode: 0o600 });
  process.env.MY_PROVIDER_KEY = secret;
  const r = await installDaemon({ platform: "linux" });
  const envFile = join(state, "credentials", "daemon.env");
  expect(r.envFile).toBe(envFile);
  expect(statSync(envFile).mode & 0o777).toBe(0o600);
  expect(statSync(join(state, "credentials")).mode & 0o777).toBe(0o700);
  expect(readFileSync(envFile, "utf8")).toContain(`MY_PROVIDER_KEY='${secret}'`);
  const unit = readFileSync(r.unitPath!, "utf8");
  expect(unit).toContain(`EnvironmentFile=${envFile}`);
  expect(unit).not.toContain(secret);
  expect(r.message).not.toContain(secret);
  expect(r.message).toContain("MY_PROVIDER_KEY");
  // uninstall takes the env file with it
  await uninstallDaemon({ platform: "linux" });
  expect(existsSync(envFile)).toBe(false);
});

test("TimeoutStopSec follows gateway.limits.shutdownGraceMs (plus the close-down margin)", async () => {
  mkdirSync(state, { recursive: true });
  writeFileSync(join(state, "openclaw.json"), JSON.stringify({ gateway: { limits: { shutdownGraceMs: 42_500 } } }), { mode: 0o600 });
  const r = await installDaemon({ print: true, platform: "linux" });
  expect(r.unit!.split("\n")).toContain("TimeoutStopSec=58");
});

test("the linger hint appears only while /var/lib/systemd/linger/<user> is absent", () => {
  const dir = mkdtempSync(join(tmpdir(), "linger-"));
  const user = userInfo().username;
  expect(lingerHint(dir)).toBe(`lingering is off for ${user}: the gateway stops when you log out. To keep it running: loginctl enable-linger ${user}`);
  writeFileSync(join(dir, user), "");
  expect(lingerHint(dir)).toBeNull();
});
