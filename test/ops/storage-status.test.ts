// status with storage.driver "postgres": the database reachable (and its schema version) or not, URL password masked.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probePostgres } from "../../src/ops/storage-status.ts";
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
  expect(await probePostgres({ driver: "postgres", url: pg.url, schema: "st" })).toMatchObject({ reachable: true, schemaVersion: LATEST });
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
