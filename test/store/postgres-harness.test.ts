// The PostgreSQL test harness itself: a real server from Debian's package, reachable through Bun's
// SQL client over the unix socket only, restartable on the same data, gone after stop().
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SQL } from "bun";
import { type PgServer, startPostgres } from "../support/postgres.ts";

let pg: PgServer;
beforeAll(() => {
  pg = startPostgres();
});
afterAll(() => pg?.stop());

describe("postgres test harness", () => {
  test("serves queries over the unix socket in its own dir, no TCP listener", async () => {
    expect(existsSync(join(pg.dir, `.s.PGSQL.${pg.port}`))).toBe(true);
    const sql = new SQL(pg.url);
    const [row] = await sql`SELECT current_setting('listen_addresses') AS la, current_user AS u, 40 + ${2}::int AS n`;
    expect(row).toEqual({ la: "", u: "postgres", n: 42 });
    await sql`CREATE TABLE t (id int PRIMARY KEY, v text)`;
    await sql`INSERT INTO t ${sql([{ id: 1, v: "a" }, { id: 2, v: "b" }])}`;
    expect((await sql`SELECT v FROM t ORDER BY id`).map((r: { v: string }) => r.v)).toEqual(["a", "b"]);
    await sql.close();
  });

  test("data survives a crash-stop and restart; a stopped server refuses connections", async () => {
    pg.halt("immediate");
    const down = new SQL(pg.url, { max: 1, connectionTimeout: 5 });
    await expect(down`SELECT 1`).rejects.toThrow();
    await down.close().catch(() => {});
    pg.restart();
    const sql = new SQL(pg.url);
    expect((await sql`SELECT count(*)::int AS n FROM t`)[0]).toEqual({ n: 2 });
    await sql.close();
  });
});
