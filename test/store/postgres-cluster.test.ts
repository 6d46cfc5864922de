// PgStore beyond the contract: several stores (as several gateway nodes) on one database, and the
// named errors with their fix: server down (and recovery without reopening), read-only replica.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { StorageError, StorageFullError, StorageUnavailableError } from "../../src/core/errors.ts";
import { mapPgError } from "../../src/store/postgres/errors.ts";
import { PG_MIGRATIONS } from "../../src/store/postgres/migrations.ts";
import { openPgStore } from "../../src/store/postgres/store.ts";
import { type PgServer, startPostgres } from "../support/postgres.ts";
import { userMsg } from "./contract.ts";

let pg: PgServer;
beforeAll(() => {
  pg = startPostgres();
});
afterAll(() => pg?.stop());

describe("PgStore on one database from several nodes", () => {
  test("concurrent appends to one session from three stores get gap-free seqs; migrations run once", async () => {
    const nodes = await Promise.all([0, 1, 2].map(() => openPgStore({ url: pg.url, schema: "shared", max: 4 })));
    const per = 40;
    const results = await Promise.all(
      nodes.flatMap((s, i) => Array.from({ length: per }, (_, j) => s.append("agent:main:main", { data: userMsg(`run_${i}_${j}`), idempotencyKey: `k${i}.${j}` }))),
    );
    const seqs = results.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 3 * per }, (_, i) => i + 1));
    const events = await nodes[1]!.readRange("agent:main:main", 1);
    expect(events.map((e) => e.seq)).toEqual(seqs);
    // a retry on another node with the same idempotency key returns the first event
    const again = await nodes[2]!.append("agent:main:main", { data: userMsg("run_0_0"), idempotencyKey: "k0.0" });
    expect(again.seq).toBe(results[0]!.seq);
    expect((await nodes[0]!.getSession("agent:main:main"))!.lastSeq).toBe(3 * per);
    const sql = new SQL(pg.url);
    expect((await sql`SELECT count(*)::int AS n FROM shared.schema_migrations`)[0]).toEqual({ n: PG_MIGRATIONS.length });
    await sql.close();
    // update de-duplication holds across nodes
    expect(await nodes[0]!.inboxPut("telegram", "u1", { n: 1 })).toBe(true);
    expect(await nodes[1]!.inboxPut("telegram", "u1", { n: 1 })).toBe(false);
    await Promise.all(nodes.map((s) => s.close()));
  });

  test("server down: a StorageError naming the fix; the same store works again after the restart", async () => {
    const s = await openPgStore({ url: pg.url, schema: "restart", max: 2 });
    await s.append("k", { data: userMsg("run_1") });
    pg.halt("fast");
    const err = await s.append("k", { data: userMsg("run_2") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageUnavailableError); // a StorageError; clients get the fixed "database is unreachable" text
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toContain("storage.url");
    pg.restart();
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = await s.append("k", { data: userMsg("run_3") }).then(() => true, async () => (await Bun.sleep(100), false));
    }
    expect(ok).toBe(true);
    // the failed append wrote nothing: seqs stay gap-free
    expect((await s.readRange("k", 1)).map((e) => [e.seq, (e.data as { runId: string }).runId])).toEqual([[1, "run_1"], [2, "run_3"]]);
    await s.close();
  });

  test("unreachable database at open: a StorageError without the URL's password", async () => {
    const url = `postgres://postgres:pw-very-secret@localhost:1/postgres?host=${encodeURIComponent(pg.dir + "/nope")}`;
    const err = await openPgStore({ url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).not.toContain("pw-very-secret");
    expect((err as Error).message).toContain("reachable");
  });

  test("read-only replica and disk-full server errors map to named errors with the fix", async () => {
    const admin = new SQL(pg.url, { max: 1 });
    await admin`SELECT 1`; // a session opened before the switch stays read-write
    const before = await openPgStore({ url: pg.url, schema: "ro", max: 1 });
    await before.close();
    await admin.unsafe("ALTER DATABASE postgres SET default_transaction_read_only = on");
    try {
      const s = await openPgStore({ url: pg.url, schema: "ro", max: 1 }).catch((e: unknown) => e);
      expect(s).toBeInstanceOf(StorageError);
      expect((s as Error).message).toContain("read-only replica");
      expect((s as Error).message).toContain("primary");
    } finally {
      await admin.unsafe("ALTER DATABASE postgres RESET default_transaction_read_only");
      await admin.close();
    }
    const full = mapPgError(Object.assign(new Error("could not extend file"), { errno: "53100" }), "appending events");
    expect(full).toBeInstanceOf(StorageFullError);
    expect(full.message).toContain("free space");
  });
});
