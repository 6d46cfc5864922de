// `openclaw doctor` as a real subprocess in a temp HOME: each failing check provoked one by one,
// and repaired by --fix where it claims to be.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { check, doctor, quietConfig, run, tempHome, type Home } from "./doctor-run.ts";

setDefaultTimeout(60_000); // each test runs doctor as one to four subprocesses on a shared machine

const homes: Home[] = [];
const home = () => {
  const h = tempHome();
  homes.push(h);
  return h;
};
afterAll(() => {
  for (const h of homes) rmSync(h.dir, { recursive: true, force: true });
});
const mode = (p: string) => statSync(p).mode & 0o777;

test("a fresh home: warnings only; --fix creates the folders and the token and says so; exit 0", async () => {
  const h = home();
  h.writeConfig(await quietConfig());
  const before = await doctor(h.env);
  expect(before.code).toBe(0);
  expect(check(before.checks, "token").status).toBe("warn");
  expect(check(before.checks, "token").fix).toBe("openclaw doctor --fix");
  expect(check(before.checks, "credentials-dir").status).toBe("warn");
  const fixed = await doctor(h.env, "--fix");
  expect(fixed.code).toBe(0);
  const token = check(fixed.checks, "token");
  expect(token.status).toBe("ok");
  expect(token.repaired).toContain("generated a gateway token");
  const file = join(h.state, "credentials", "gateway-token");
  expect(mode(file)).toBe(0o600);
  expect(mode(join(h.state, "credentials"))).toBe(0o700);
  expect(fixed.repairs.length).toBe(2);
  expect(fixed.raw.stdout).not.toContain(readFileSync(file, "utf8").trim()); // the token is never printed
  const again = await doctor(h.env, "--fix");
  expect(again.repairs).toEqual([]);
});

test("a config readable by others fails with chmod 600; --fix repairs it", async () => {
  const h = home();
  h.writeConfig(await quietConfig(), 0o644);
  const r = await doctor(h.env);
  expect(r.code).toBe(1);
  const c = check(r.checks, "config-permissions");
  expect(c.status).toBe("fail");
  expect(c.message).toContain("0644");
  expect(c.fix).toBe(`chmod 600 ${h.config}`);
  const fixed = await doctor(h.env, "--fix");
  expect(check(fixed.checks, "config-permissions")).toMatchObject({ status: "ok", repaired: `chmod 600 ${h.config}` });
  expect(mode(h.config)).toBe(0o600);
  expect(fixed.code).toBe(0);
});

test("an invalid config fails the config check with the key, and the other checks still run", async () => {
  const h = home();
  h.writeConfig({ ...(await quietConfig()), gateway: { port: "eighty" } });
  const r = await doctor(h.env);
  expect(r.code).toBe(1);
  const c = check(r.checks, "config");
  expect(c.status).toBe("fail");
  expect(c.message).toContain("gateway.port");
  expect(r.checks.length).toBeGreaterThan(8);
});

test("a corrupt database fails quick_check with the recovery steps; --fix leaves it alone", async () => {
  const h = home();
  h.writeConfig(await quietConfig());
  const db = join(h.state, "state", "openclaw.db");
  mkdirSync(join(h.state, "state"), { recursive: true });
  // a real SQLite file whose table pages are overwritten: the header is fine, quick_check is not
  const d = new Database(db, { create: true });
  d.exec("CREATE TABLE t (a TEXT); CREATE INDEX ti ON t (a)");
  const ins = d.prepare("INSERT INTO t VALUES (?)");
  d.transaction(() => {
    for (let i = 0; i < 2000; i++) ins.run(`row ${i} ${"x".repeat(50)}`);
  })();
  d.close();
  const bytes = readFileSync(db);
  expect(bytes.length).toBeGreaterThan(8 * 4096);
  bytes.fill(0x55, 4096 * 2, 4096 * 6);
  writeFileSync(db, bytes);
  const r = await doctor(h.env);
  expect(r.code).toBe(1);
  const c = check(r.checks, "database");
  expect(c.status).toBe("fail");
  expect(c.fix).toContain(`mv '${db}' '${db}.broken'`);
  const fixed = await doctor(h.env, "--fix");
  expect(check(fixed.checks, "database").status).toBe("fail");
  expect(readFileSync(db).equals(bytes)).toBe(true);
});

test("a file that is not SQLite at the database path fails the database check", async () => {
  const h = home();
  h.writeConfig(await quietConfig());
  mkdirSync(join(h.state, "state"), { recursive: true });
  writeFileSync(join(h.state, "state", "openclaw.db"), "definitely not a database, just text\n".repeat(10));
  const c = check((await doctor(h.env)).checks, "database");
  expect(c.status).toBe("fail");
  expect(c.message).toContain("is not an SQLite database");
});

test("a port held by another process fails and names that process's pid", async () => {
  const h = home();
  const holder: Server = createServer((s) => s.destroy());
  await new Promise<void>((r) => holder.listen(0, "127.0.0.1", () => r()));
  try {
    const port = (holder.address() as { port: number }).port;
    h.writeConfig(await quietConfig({ gateway: { port } }));
    const r = await doctor(h.env);
    expect(r.code).toBe(1);
    const c = check(r.checks, "port");
    expect(c.status).toBe("fail");
    expect(c.message).toContain(`port 127.0.0.1:${port} is held by pid ${process.pid}`);
    expect(c.fix).toContain(`kill ${process.pid}`);
    expect(c.fix).toContain(`openclaw config set gateway.port ${port + 1}`);
  } finally {
    holder.close();
  }
});

test("bwrap missing from PATH fails the sandbox check with the probe's own reason", async () => {
  const h = home();
  h.writeConfig(await quietConfig({ agents: { defaults: { sandbox: { level: "standard" } } } }));
  const empty = join(h.dir, "empty-bin");
  mkdirSync(empty);
  const r = await doctor({ ...h.env, PATH: empty });
  expect(r.code).toBe(1);
  const c = check(r.checks, "sandbox:main");
  expect(c.status).toBe("fail");
  expect(c.message).toContain("bubblewrap (bwrap) is not installed or not on PATH");
  expect(c.message).toContain("apt-get install bubblewrap");
});

test("sandbox level off is a warning", async () => {
  const h = home();
  h.writeConfig(await quietConfig());
  expect(check((await doctor(h.env)).checks, "sandbox:main").status).toBe("warn");
});

test("a weak token fails, and no part of it is printed", async () => {
  const h = home();
  h.writeConfig(await quietConfig({ gateway: { auth: { token: "hunter2hunter2hunter2" } } }));
  const r = await doctor(h.env);
  expect(r.code).toBe(1);
  const c = check(r.checks, "token");
  expect(c.status).toBe("fail");
  expect(c.message).toContain("weak");
  expect(c.fix).toContain("openclaw config set gateway.auth.token");
  expect(r.raw.stdout + r.raw.stderr).not.toContain("hunter2");
});

test("a network bind without auth fails; loopback without auth warns", async () => {
  const h = home();
  h.writeConfig(await quietConfig({ gateway: { bind: "lan", auth: { mode: "none" } } }));
  const lan = check((await doctor(h.env)).checks, "bind-auth");
  expect(lan.status).toBe("fail");
  expect(lan.fix).toContain("openclaw config set gateway.auth.mode token");
  h.writeConfig(await quietConfig({ gateway: { auth: { mode: "none" } } }));
  expect(check((await doctor(h.env)).checks, "bind-auth").status).toBe("warn");
});

test("no provider key fails with the variable to set", async () => {
  const h = home();
  h.writeConfig({ ...(await quietConfig()), models: { providers: {} } });
  const r = await doctor(h.env);
  expect(r.code).toBe(1);
  const c = check(r.checks, "provider:anthropic");
  expect(c.status).toBe("fail");
  expect(c.message).toContain("ANTHROPIC_API_KEY");
});

test("a Telegram channel without a token fails; without --deep a set token is not verified", async () => {
  const h = home();
  h.writeConfig(await quietConfig({ channels: { telegram: { enabled: true } } }));
  expect(check((await doctor(h.env)).checks, "telegram").status).toBe("fail");
  h.writeConfig(await quietConfig({ channels: { telegram: { botToken: "123:abc" } } }));
  const c = check((await doctor(h.env)).checks, "telegram");
  expect(c.status).toBe("ok");
  expect(c.message).toContain("--deep");
});

test("the daemon unit: missing warns, another binary warns, this binary is ok", async () => {
  const h = home();
  h.writeConfig(await quietConfig());
  const unit = join(h.env.HOME!, ".config", "systemd", "user", "openclaw-gateway.service");
  expect(check((await doctor(h.env)).checks, "daemon")).toMatchObject({ status: "warn", fix: "openclaw daemon install" });
  mkdirSync(join(unit, ".."), { recursive: true });
  writeFileSync(unit, "[Service]\nExecStart=/opt/old/openclaw gateway run\n");
  expect(check((await doctor(h.env)).checks, "daemon").message).toContain("does not run this binary");
  writeFileSync(unit, `[Service]\nExecStart="${process.execPath}" "${join(import.meta.dir, "..", "..", "src", "main.ts")}" "gateway" "run"\n`); // as daemon install writes it
  expect(check((await doctor(h.env)).checks, "daemon").status).toBe("ok");
  expect(existsSync(unit)).toBe(true);
});

test("the text output: one line per check with its fix, a summary, exit 1 on a failure", async () => {
  const h = home();
  h.writeConfig(await quietConfig(), 0o640);
  const r = await run(["doctor"], h.env);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain(`FAIL  config-permissions: the config ${h.config} has mode 0640`);
  expect(r.stdout).toContain(`      fix: chmod 600 ${h.config}`);
  expect(r.stdout).toMatch(/\d+ ok, \d+ warnings, 1 failed/);
});

test("loose state and credentials folders and token file: warn/fail, and --fix tightens each", async () => {
  const h = home();
  h.writeConfig(await quietConfig());
  const creds = join(h.state, "credentials");
  mkdirSync(creds, { recursive: true });
  chmodSync(h.state, 0o755);
  chmodSync(creds, 0o775);
  const file = join(creds, "gateway-token");
  writeFileSync(file, randomBytes(32).toString("hex") + "\n");
  chmodSync(file, 0o644);
  const r = await doctor(h.env);
  expect(r.code).toBe(1);
  expect(check(r.checks, "state-dir")).toMatchObject({ status: "warn", fix: `chmod 700 ${h.state}` });
  expect(check(r.checks, "credentials-dir").status).toBe("warn");
  expect(check(r.checks, "token-file-permissions")).toMatchObject({ status: "fail", fix: `chmod 600 ${file}` });
  expect(check(r.checks, "token").status).toBe("ok");
  const fixed = await doctor(h.env, "--fix");
  expect(fixed.code).toBe(0);
  expect(fixed.repairs).toEqual([`chmod 700 ${h.state}`, `chmod 700 ${creds}`, `chmod 600 ${file}`]);
  expect([mode(h.state), mode(creds), mode(file)]).toEqual([0o700, 0o700, 0o600]);
});

test("status without a gateway: says so, with the offline facts; a broken config is named", async () => {
  const h = home();
  h.writeConfig(await quietConfig());
  const r = await run(["status"], h.env);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("gateway: not running (no gateway is running at http://127.0.0.1:");
  expect(r.stdout).toContain(`config:    ${h.config}\n`);
  expect(r.stdout).toContain(`state dir: ${h.state}`);
  expect(r.stdout).toContain("database:  ");
  h.writeConfig({ gateway: { port: "eighty" } });
  const broken = JSON.parse((await run(["status", "--json"], h.env)).stdout);
  expect(broken.running).toBe(false);
  expect(broken.configError).toContain("gateway.port");
});
