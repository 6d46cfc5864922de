// SQLite specifics: durability across reopen, pragmas, group commit, and refusing bad files.
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoredEventData } from "../../src/core/events.ts";
import { StorageCorruptError, StorageError } from "../../src/core/errors.ts";
import { migrations } from "../../src/generated/embedded.ts";
import { APPLICATION_ID } from "../../src/store/db.ts";
import { MESSAGE_COUNT_SQL } from "../../src/store/sessions.ts";
import { openStore } from "../../src/store/sqlite.ts";
import { fakeClock, userMsg } from "./contract.ts";

const dir = mkdtempSync(join(tmpdir(), "store-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `d${n++}`, "state", "openclaw.db");

async function openError(path: string): Promise<Error> {
  try {
    const s = await openStore(path);
    await s.close();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected openStore to fail");
}

describe("SqliteStore files", () => {
  test("creates the file in a 0700 directory with WAL and synchronous=FULL; data survives reopen", async () => {
    const path = fresh();
    const s = await openStore(path);
    await s.append("agent:main:main", { data: userMsg("run_1", "persist me"), idempotencyKey: "k1" });
    await s.kvSet("tg", "offset", 7);
    await s.close();
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    const raw = new Database(path, { readonly: true });
    expect(raw.query("PRAGMA journal_mode").values()[0]![0]).toBe("wal");
    expect(raw.query("PRAGMA user_version").values()[0]![0]).toBe(migrations.length);
    raw.close();
    const again = await openStore(path);
    const [e] = await again.readLatest("agent:main:main", 1);
    expect(e!.data).toMatchObject({ message: { content: [{ text: "persist me" }] } });
    expect(await again.kvGet("tg", "offset")).toBe(7);
    // idempotency survives a restart: a retried append after reopen is still a no-op
    const retry = await again.append("agent:main:main", { data: userMsg("run_1", "dup"), idempotencyKey: "k1" });
    expect(retry.seq).toBe(1);
    expect(again.integrityCheck()).toEqual(["ok"]);
    await again.close();
  });

  test("the database, -wal and -shm files are owner-only (0600), also when an older build left them 0644", async () => {
    const old = process.umask(0o022);
    try {
      const path = fresh();
      const s = await openStore(path);
      await s.append("agent:main:main", { data: userMsg("run_1", "private") });
      for (const p of [path, `${path}-wal`, `${path}-shm`]) {
        expect(existsSync(p)).toBe(true);
        expect(statSync(p).mode & 0o777).toBe(0o600);
      }
      await s.close();
      chmodSync(path, 0o644);
      const again = await openStore(path);
      await again.append("agent:main:main", { data: userMsg("run_2", "still private") });
      for (const p of [path, `${path}-wal`, `${path}-shm`]) expect(statSync(p).mode & 0o777).toBe(0o600);
      await again.close();
    } finally {
      process.umask(old);
    }
  });

  test("concurrent appends in one tick share one transaction and keep seqs gap-free", async () => {
    const s = await openStore(fresh());
    const before = s.writeStats().batches;
    const events = await Promise.all(
      Array.from({ length: 200 }, (_, i) => s.append(i % 2 ? "a" : "b", { data: userMsg(`run_${i}`) })),
    );
    expect(s.writeStats().batches - before).toBe(1);
    expect(events.filter((e) => e.sessionKey === "a").map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect((await s.getSession("b"))!.lastSeq).toBe(100);
    await s.close();
  });

  test("a failing write in a batch rolls back alone", async () => {
    const s = await openStore(fresh());
    const results = await Promise.allSettled([
      s.append("a", { data: userMsg("run_1") }),
      s.kvSet("ns", "bad", { toJSON: () => { throw new Error("boom"); } }),
      s.append("a", { data: userMsg("run_2") }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await s.readLatest("a", 5)).map((e) => e.seq)).toEqual([1, 2]);
    await s.close();
  });

  test("a job that fails after writing part of its rows leaves none of them; the rest of its batch commits", async () => {
    const s = await openStore(fresh());
    const bad = { type: "session_reset", reason: 1n } as unknown as StoredEventData; // JSON.stringify throws on the second row
    const results = await Promise.allSettled([
      s.append("a", { data: userMsg("run_1") }),
      s.appendMany("b", [{ data: userMsg("run_2") }, { data: bad }], { trusted: true }),
      s.append("b", { data: userMsg("run_3") }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await s.readRange("b", 1)).map((e) => [e.seq, e.data.type === "user_message" && e.data.runId])).toEqual([[1, "run_3"]]);
    expect((await s.listUnfinishedRuns()).map((r) => r.runId).sort()).toEqual(["run_1", "run_3"]);
    await s.close();
  });

  test("the runs table holds only runs in flight: run_finished removes the row", async () => {
    const path = fresh();
    const s = await openStore(path);
    await s.appendMany("a", [{ data: userMsg("run_1") }, { data: { type: "run_started", runId: "run_1" } }], { trusted: true });
    await s.append("a", { data: userMsg("run_2") });
    await s.append("a", { data: { type: "run_finished", runId: "run_1", outcome: "ok", durationMs: 1 } });
    const db = new Database(path, { readonly: true });
    expect(db.query("SELECT run_id FROM runs").values()).toEqual([["run_2"]]);
    db.close();
    await s.close();
  });

  test("close waits for queued writes", async () => {
    const path = fresh();
    const s = await openStore(path);
    const p = s.append("a", { data: userMsg("run_1") });
    await s.close();
    await p;
    const again = await openStore(path);
    expect((await again.getSession("a"))!.lastSeq).toBe(1);
    await again.close();
  });

  test("a file that is not SQLite is refused with the file name and the recovery", async () => {
    const path = fresh();
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, "this is not a database, just some text that is long enough");
    const e = await openError(path);
    expect(e).toBeInstanceOf(StorageCorruptError);
    expect(e.message).toContain(path);
    expect(e.message).toContain("move the file aside");
    expect(readFileSync(path, "utf8")).toStartWith("this is not"); // left untouched
  });

  test("a foreign SQLite database is refused", async () => {
    const path = fresh();
    mkdirSync(join(path, ".."), { recursive: true });
    const other = new Database(path, { create: true });
    other.exec("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)");
    other.close();
    const e = await openError(path);
    expect(e).toBeInstanceOf(StorageCorruptError);
    expect(e.message).toContain("some other program");
    expect(e.message).toContain(path);
  });

  test("a database from a newer openclaw is refused (not called corrupt)", async () => {
    const path = fresh();
    const s = await openStore(path);
    await s.close();
    const raw = new Database(path);
    raw.exec("PRAGMA user_version = 99");
    raw.close();
    const e = await openError(path);
    expect(e).toBeInstanceOf(StorageError);
    expect(e).not.toBeInstanceOf(StorageCorruptError);
    expect(e.message).toContain("newer openclaw");
  });

  test("corrupted pages are caught by quick_check at open", async () => {
    const path = fresh();
    const s = await openStore(path);
    await s.appendMany("a", Array.from({ length: 300 }, (_, i) => ({ data: userMsg(`run_${i}`, "x".repeat(200)) })));
    await s.close(); // checkpoints the WAL into the main file
    const raw = new Database(path);
    raw.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    raw.exec("PRAGMA journal_mode = DELETE");
    raw.close();
    const buf = readFileSync(path);
    const page = 4096;
    for (let p = 2; p * page < buf.length; p++) buf.fill(0xab, p * page + 8, p * page + 200); // scribble over page headers/cells
    writeFileSync(path, buf);
    const e = await openError(path);
    expect(e).toBeInstanceOf(StorageCorruptError);
    expect(e.message).toContain(path);
    expect(e.message).toContain("Recovery");
  });
});

describe("migration 002 (inbox done_at)", () => {
  test("a schema-1 file with processed inbox rows migrates; its old rows are pruned by arrival time, pending ones kept", async () => {
    const path = join(dir, "v1", "openclaw.db");
    mkdirSync(join(dir, "v1"), { recursive: true });
    const v1 = new Database(path, { create: true });
    v1.exec(migrations.find((m) => m.version === 1)!.sql);
    v1.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    v1.exec("PRAGMA user_version = 1");
    const put = v1.query("INSERT INTO inbox (channel, update_id, payload, done, created_at) VALUES ('telegram', ?, '{}', ?, ?)");
    put.run("1", 1, 1_000);
    put.run("2", 1, 2_000);
    put.run("3", 0, 3_000);
    v1.close();
    const clock = fakeClock(10_000_000);
    const s = await openStore(path, { clock: clock.now, inboxRetention: { keepDoneMs: 60_000, keepDoneMin: 0 } });
    const raw = new Database(path, { readonly: true });
    expect(raw.query("PRAGMA user_version").values()[0]![0]).toBe(migrations.length);
    raw.close();
    expect(await s.inboxPrune("telegram")).toBe(2);
    expect((await s.inboxPending("telegram")).map((i) => i.updateId)).toEqual(["3"]);
    await s.close();
  });
});

describe("migration 003 (message index)", () => {
  test("a schema-2 file gains the index, and a session's messages are counted from it", async () => {
    const path = join(dir, "v2", "openclaw.db");
    mkdirSync(join(dir, "v2"), { recursive: true });
    const v2 = new Database(path, { create: true });
    for (const m of migrations.filter((m) => m.version <= 2)) v2.exec(m.sql);
    v2.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    v2.exec("PRAGMA user_version = 2");
    v2.close();
    const s = await openStore(path);
    await s.append("k", { data: userMsg("run_1") });
    await s.append("k", { data: { type: "session_reset" } });
    expect(await s.messageCounts(["k"])).toEqual({ k: 1 });
    await s.close();
    const raw = new Database(path, { readonly: true });
    const plan = raw.query(`EXPLAIN QUERY PLAN ${MESSAGE_COUNT_SQL}`).all("k") as { detail: string }[];
    raw.close();
    expect(plan.map((p) => p.detail).join(" ")).toContain("USING COVERING INDEX events_messages");
  });
});
