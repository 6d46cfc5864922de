// Group commit on PostgreSQL (src/store/postgres/group-commit.ts) against a real server: concurrent
// jobs share transactions, a job the server refuses fails alone, and batches that touch the same
// sessions in opposite orders cannot deadlock (jobs run in key order inside a batch).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { SQL } from "bun";
import { rejectedBeforeCommit } from "../../src/store/postgres/errors.ts";
import { GroupCommit, type Transact } from "../../src/store/postgres/group-commit.ts";
import { openPgStore } from "../../src/store/postgres/store.ts";
import { type PgServer, startPostgres } from "../support/postgres.ts";
import { userMsg } from "./contract.ts";

let pg: PgServer;
let sql: SQL;
beforeAll(async () => {
  pg = startPostgres();
  sql = new SQL(pg.url, { max: 8 });
  await sql.unsafe("CREATE TABLE items (id INT PRIMARY KEY, tag TEXT NOT NULL)");
  await sql.unsafe("CREATE TABLE locks (key TEXT PRIMARY KEY, n INT NOT NULL DEFAULT 0)");
  await sql.unsafe("INSERT INTO locks (key) VALUES ('a'), ('b')");
});
afterAll(async () => {
  await sql?.close();
  pg?.stop();
});

const transact: Transact<SQL> = (fn) => sql.begin((t) => fn(t as unknown as SQL)) as never;

test("concurrent jobs share transactions and every one resolves with its own result", async () => {
  const g = new GroupCommit(transact, { maxBatches: 2, maxBatch: 64 });
  const ids = Array.from({ length: 300 }, (_, i) => 1000 + i);
  const results = await Promise.all(ids.map((id) => g.submit(`k${id % 7}`, async (q) => {
    const [r] = await q.unsafe("INSERT INTO items (id, tag) VALUES ($1, 'batch') RETURNING id", [id]);
    return Number(r.id);
  })));
  expect(results).toEqual(ids);
  expect(g.stats.jobs).toBe(300);
  expect(g.stats.transactions).toBeLessThanOrEqual(2 + Math.ceil(298 / 64)); // 300 jobs, a handful of commits
  const [n] = await sql`SELECT count(*)::int AS n FROM items WHERE tag = 'batch'`;
  expect(n.n).toBe(300);
});

test("a job the server refuses fails alone; the rest of its batch is committed", async () => {
  await sql`INSERT INTO items (id, tag) VALUES (1, 'taken')`;
  const g = new GroupCommit(transact, { maxBatches: 1, retryAlone: rejectedBeforeCommit });
  const hold = g.submit("a", (q) => q.unsafe("SELECT pg_sleep(0.05)")); // keeps the next ones queued into one batch
  const jobs = [2, 1, 3].map((id) => g.submit(`k${id}`, (q) => q.unsafe("INSERT INTO items (id, tag) VALUES ($1, 'mixed')", [id])));
  await hold;
  const settled = await Promise.allSettled(jobs);
  expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  expect(String((settled[1] as PromiseRejectedResult).reason)).toContain("duplicate key");
  expect(g.stats.retriedAlone).toBe(3);
  expect((await sql`SELECT id FROM items WHERE tag = 'mixed' ORDER BY id`).map((r: { id: number }) => r.id)).toEqual([2, 3]);
});

test("a failure that is not a refusal before COMMIT rejects the whole batch and retries nothing", async () => {
  const g = new GroupCommit(transact, { maxBatches: 1, retryAlone: rejectedBeforeCommit });
  const hold = g.submit("a", (q) => q.unsafe("SELECT pg_sleep(0.05)"));
  const jobs = [10, 11].map((id) => g.submit(`k${id}`, (q) => (id === 11 ? q.unsafe("SELECT 1/0") : q.unsafe("INSERT INTO items (id, tag) VALUES ($1, 'div')", [id]))));
  await hold;
  const settled = await Promise.allSettled(jobs);
  expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected"]);
  expect(g.stats.retriedAlone).toBe(0);
  expect(await sql`SELECT id FROM items WHERE tag = 'div'`).toHaveLength(0);
});

test("two nodes' batches locking the same rows in opposite orders do not deadlock", async () => {
  const nodes = [0, 1].map(() => new GroupCommit(transact, { maxBatches: 1, retryAlone: rejectedBeforeCommit }));
  const lockThenWait = (key: string) => (q: SQL) => q.unsafe("UPDATE locks SET n = n + 1 WHERE key = $1 RETURNING pg_sleep(0.1)", [key]);
  // each node first runs a holder, so its next two jobs form one batch: node 0 submits a, b; node 1 submits b, a
  const holds = nodes.map((g) => g.submit("0", (q) => q.unsafe("SELECT pg_sleep(0.05)")));
  const jobs = [nodes[0]!.submit("a", lockThenWait("a")), nodes[0]!.submit("b", lockThenWait("b")), nodes[1]!.submit("b", lockThenWait("b")), nodes[1]!.submit("a", lockThenWait("a"))];
  await Promise.all(holds);
  const settled = await Promise.allSettled(jobs);
  expect(settled.every((s) => s.status === "fulfilled")).toBe(true);
  expect(nodes[0]!.stats.retriedAlone + nodes[1]!.stats.retriedAlone).toBe(0); // a deadlock would have been retried
  expect(await sql`SELECT key, n FROM locks ORDER BY key`).toEqual([{ key: "a", n: 2 }, { key: "b", n: 2 }]);
});

test("PgStore: appends to many sessions at once share commits, each session's seqs stay gap-free", async () => {
  const store = await openPgStore({ url: pg.url, schema: "grouped", max: 4 });
  try {
    const sessions = Array.from({ length: 50 }, (_, i) => `agent:main:g${i}`);
    const events = await Promise.all(sessions.flatMap((key) => [1, 2, 3, 4].map((n) => store.append(key, { data: userMsg(`run_${key}_${n}`) }))));
    expect(events).toHaveLength(200);
    for (const key of sessions) expect((await store.readRange(key, 1)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    const stats = store.commitStats;
    expect(stats.jobs).toBe(200);
    expect(stats.transactions).toBeLessThan(100); // 200 appends, far fewer COMMITs
    expect(stats.retriedAlone).toBe(0);
  } finally {
    await store.close();
  }
});
