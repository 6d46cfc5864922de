// storage copy: an SQLite state into PostgreSQL with counts verified; a second run copies nothing.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copySqliteToPg } from "../../src/store/postgres/copy.ts";
import { openPgStore } from "../../src/store/postgres/store.ts";
import { openStore } from "../../src/store/sqlite.ts";
import { type PgServer, startPostgres } from "../support/postgres.ts";
import { userMsg } from "./contract.ts";

let pg: PgServer;
const dir = mkdtempSync(join(tmpdir(), "copy-"));
beforeAll(() => {
  pg = startPostgres();
});
afterAll(() => {
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("copies every table exactly, verifies counts, and is idempotent", async () => {
  const path = join(dir, "openclaw.db");
  const s = await openStore(path, { reserveBytes: 0 });
  await s.appendMany("agent:main:a", [{ data: userMsg("run_1", "hello") }, { data: { type: "run_started", runId: "run_1" } }], { session: { channel: "telegram", peer: "7" } });
  await s.append("agent:main:a", { data: { type: "run_finished", runId: "run_1", outcome: "ok", durationMs: 5 } as never, idempotencyKey: "fin-1" });
  await s.append("agent:main:b", { data: userMsg("run_2") }); // unfinished: recovery on the target must see it
  await s.inboxPut("telegram", "u1", { update_id: 1 });
  await s.inboxPut("telegram", "u2", { update_id: 2 });
  await s.inboxDone("telegram", "u1");
  await s.kvSet("telegram", "offset", 42);
  await s.pairingUpsert({ channel: "telegram", peerId: "9", code: "ABCD1234", status: "pending", createdAt: 1, expiresAt: 2, meta: { name: "x" } });
  const before = await s.readRange("agent:main:a", 1);
  await s.close();

  const first = await copySqliteToPg(path, { url: pg.url, schema: "copied" });
  expect(Object.fromEntries(first.map((r) => [r.table, [r.source, r.copied, r.target]]))).toEqual({
    sessions: [2, 2, 2], events: [4, 4, 4], runs: [1, 1, 1], inbox: [2, 2, 2], kv: [1, 1, 1], pairing: [1, 1, 1],
  });
  const again = await copySqliteToPg(path, { url: pg.url, schema: "copied" });
  expect(again.every((r) => r.copied === 0 && r.target === r.source)).toBe(true);

  const p = await openPgStore({ url: pg.url, schema: "copied" });
  expect(await p.readRange("agent:main:a", 1)).toEqual(before);
  expect((await p.getSession("agent:main:a"))!).toMatchObject({ channel: "telegram", peer: "7", lastSeq: 3 });
  expect((await p.listUnfinishedRuns()).map((r) => r.runId)).toEqual(["run_2"]);
  expect(await p.inboxPut("telegram", "u1", {})).toBe(false); // de-dup state came along
  expect((await p.inboxPending("telegram")).map((r) => r.updateId)).toEqual(["u2"]);
  expect(await p.kvGet("telegram", "offset")).toBe(42);
  expect((await p.findByIdempotencyKey("fin-1"))!.seq).toBe(3);
  expect((await p.append("agent:main:a", { data: { type: "session_reset" } })).seq).toBe(4); // seq continues gap-free
  await p.close();
});

test("a missing SQLite file is a clear error", async () => {
  await expect(copySqliteToPg(join(dir, "nope.db"), { url: pg.url, schema: "x" })).rejects.toThrow(/read-only: .*storage copy --from/);
});

test("openclaw storage copy: the CLI copies, reports counts as JSON, and masks the URL's password", async () => {
  const path = join(dir, "cli.db");
  const s = await openStore(path, { reserveBytes: 0 });
  await s.append("agent:main:cli", { data: userMsg("run_9") });
  await s.close();
  // trust auth ignores the password; it is here to be printed (masked) in the report
  const url = pg.url.replace("postgres@", "postgres:pw-cli-secret@");
  const run = (json: boolean) =>
    Bun.spawnSync([process.execPath, join(import.meta.dir, "../../src/main.ts"), ...(json ? ["--json"] : []), "storage", "copy", "--from", path, "--url", url, "--schema", "cli"], {
      stdout: "pipe", stderr: "pipe", env: process.env,
    });
  const r = run(true);
  expect(r.exitCode).toBe(0);
  const body = JSON.parse(r.stdout.toString());
  expect(body.tables.find((t: { table: string }) => t.table === "events")).toEqual({ table: "events", source: 1, copied: 1, target: 1 });
  const text = run(false);
  expect(text.exitCode).toBe(0);
  expect(text.stdout.toString()).toContain("0 copied now, 1 in PostgreSQL");
  expect(text.stdout.toString() + text.stderr.toString()).not.toContain("pw-cli-secret");
});
