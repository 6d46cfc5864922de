// status with storage.driver "postgres": the database reachable (and its schema version) or not, URL password masked.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probePostgres } from "../../src/ops/storage-status.ts";
import { PgCluster } from "../../src/store/postgres/cluster.ts";
import { PG_MIGRATIONS } from "../../src/store/postgres/migrations.ts";
import { openPgStore } from "../../src/store/postgres/store.ts";
import { type PgServer, startPostgres } from "../support/postgres.ts";

let pg: PgServer;
const LATEST = Math.max(...PG_MIGRATIONS.map((m) => m.version));
const dir = mkdtempSync(join(tmpdir(), "storage-status-"));
beforeAll(() => {
  pg = startPostgres();
});
afterAll(() => {
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("probe: not created yet, then the schema version; unreachable with the reason", async () => {
  expect(await probePostgres({ driver: "postgres", url: pg.url, schema: "st" })).toMatchObject({ reachable: true, schemaVersion: null });
  await (await openPgStore({ url: pg.url, schema: "st" })).close();
  expect(await probePostgres({ driver: "postgres", url: pg.url, schema: "st" })).toMatchObject({ reachable: true, schemaVersion: LATEST, nodes: [], leases: [] });
  expect(await probePostgres({ driver: "sqlite", schema: "openclaw" })).toBeNull();
});

test("openclaw status (no gateway running) shows the database and hides the password", () => {
  const cfg = join(dir, "openclaw.json");
  const down = pg.url.replace("postgres@", "postgres:pw-status-secret@").replace(encodeURIComponent(pg.dir), encodeURIComponent(join(pg.dir, "gone")));
  const run = (url: string) => {
    writeFileSync(cfg, JSON.stringify({ gateway: { port: 1 }, storage: { driver: "postgres", url, schema: "st" } }), { mode: 0o600 });
    const r = Bun.spawnSync([process.execPath, join(import.meta.dir, "../../src/main.ts"), "status"], {
      stdout: "pipe", stderr: "pipe", env: { ...process.env, OPENCLAW_CONFIG_PATH: cfg },
    });
    return r.stdout.toString() + r.stderr.toString();
  };
  expect(run(pg.url)).toContain(`schema st: reachable, schema version ${LATEST}`);
  const out = run(down);
  expect(out).toContain("UNREACHABLE");
  expect(out).not.toContain("pw-status-secret");
});

test("with no gateway running, openclaw sessions reads the PostgreSQL store the config names (not the SQLite file)", async () => {
  const s = await openPgStore({ url: pg.url, schema: "st" });
  await s.append("agent:main:from-pg", { data: { type: "session_reset" } });
  await s.close();
  const cfg = join(dir, "sessions.json");
  writeFileSync(cfg, JSON.stringify({ gateway: { port: 1 }, storage: { driver: "postgres", url: pg.url, schema: "st" } }), { mode: 0o600 });
  const r = Bun.spawnSync([process.execPath, join(import.meta.dir, "../../src/main.ts"), "--json", "sessions", "list"], {
    stdout: "pipe", stderr: "pipe", env: { ...process.env, OPENCLAW_CONFIG_PATH: cfg },
  });
  expect(r.stderr.toString()).toBe("");
  const body = JSON.parse(r.stdout.toString());
  expect(body.source).toBe("store");
  expect(body.sessions.map((x: { key: string }) => x.key)).toEqual(["agent:main:from-pg"]);
});

test("status and doctor list the nodes alive and the lease holders (a run in flight, the Telegram leader)", async () => {
  const a = new PgCluster({ url: pg.url, schema: "st", nodeId: "gw-a", leaseTtlMs: 5000, heartbeatMs: 1000 });
  const b = new PgCluster({ url: pg.url, schema: "st", nodeId: "gw-b", leaseTtlMs: 5000, heartbeatMs: 1000 });
  await a.start();
  await b.start();
  let leading = false;
  const stopLeading = b.leader("telegram-poller", (l) => (leading = l));
  while (!leading) await Bun.sleep(20);
  const lease = await a.acquireRun("agent:main:busy", 1);
  const facts = await probePostgres({ driver: "postgres", url: pg.url, schema: "st" });
  expect(facts!.nodes!.filter((n) => n.alive).map((n) => n.id).sort()).toEqual(["gw-a", "gw-b"]);
  expect(facts!.leases).toEqual([{ name: "leader:telegram-poller", node: "gw-b" }, { name: "session:agent:main:busy", node: "gw-a" }]);
  const cfg = join(dir, "cluster.json");
  writeFileSync(cfg, JSON.stringify({ gateway: { port: 1 }, storage: { driver: "postgres", url: pg.url, schema: "st" } }), { mode: 0o600 });
  const cli = (...args: string[]) => {
    const r = Bun.spawnSync([process.execPath, join(import.meta.dir, "../../src/main.ts"), ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, OPENCLAW_CONFIG_PATH: cfg } });
    return r.stdout.toString() + r.stderr.toString();
  };
  const status = cli("status");
  expect(status).toMatch(/nodes: +2 alive: gw-/);
  expect(status).toContain("leases:    1 run on gw-a · leader: telegram-poller on gw-b");
  const doctor = JSON.parse(cli("--json", "doctor")) as { checks: { id: string; status: string; message: string }[] };
  const db = doctor.checks.find((c) => c.id === "database")!;
  expect(db.status).toBe("ok");
  expect(db.message).toContain(`schema st is reachable, schema version ${LATEST}; nodes: 2 alive`);
  expect(db.message).toContain("leader: telegram-poller on gw-b");
  await lease.release();
  await stopLeading();
  await a.close();
  await b.close();
  // stopped nodes are listed as such, and hold nothing
  const after = await probePostgres({ driver: "postgres", url: pg.url, schema: "st" });
  expect(after!.nodes!.filter((n) => n.alive)).toEqual([]);
  expect(after!.leases).toEqual([]);
});

test("doctor fails the database check with the fix when PostgreSQL is unreachable", () => {
  const cfg = join(dir, "down.json");
  const down = pg.url.replace("postgres@", "postgres:pw-doctor-secret@").replace(encodeURIComponent(pg.dir), encodeURIComponent(join(pg.dir, "gone")));
  writeFileSync(cfg, JSON.stringify({ gateway: { port: 1 }, storage: { driver: "postgres", url: down, schema: "st" } }), { mode: 0o600 });
  const r = Bun.spawnSync([process.execPath, join(import.meta.dir, "../../src/main.ts"), "doctor"], { stdout: "pipe", stderr: "pipe", env: { ...process.env, OPENCLAW_CONFIG_PATH: cfg } });
  const out = r.stdout.toString() + r.stderr.toString();
  expect(out).toMatch(/FAIL +database: PostgreSQL .* is unreachable/);
  expect(out).toContain("fix: start the database server or fix storage.url");
  expect(out).not.toContain("pw-doctor-secret");
  expect(r.exitCode).toBe(1);
});
