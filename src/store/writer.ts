/**
 * Group commit. Every write is a job queued here; all jobs queued within the same tick run in one
 * `BEGIN IMMEDIATE … COMMIT`, and one failing job (a bad payload, say) rolls back alone: a batch
 * first runs optimistically, without per-job SAVEPOINTs; if a job throws, the whole transaction is
 * rolled back and the batch runs again with each job inside its own SAVEPOINT (jobs are plain
 * functions of the database, so running one again after a rollback is the same as running it once). Each job's promise settles only after the COMMIT, so "acknowledged" means
 * durable (synchronous=FULL). Jobs run in submission order, so writes are never reordered.
 *
 * If SQLite itself drops the transaction (disk full, I/O error), every job of the batch is
 * rejected with the mapped error and nothing of the batch is committed.
 */
import type { Database } from "bun:sqlite";
import { mapSqliteError } from "./db.ts";

interface Job {
  run: (db: Database) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Upper bound of jobs per transaction, so one huge burst does not hold the write lock for long. */
const MAX_BATCH = 2000;

export class WriteQueue {
  #jobs: Job[] = [];
  #scheduled = false;
  #idle: (() => void)[] = [];
  /** transactions committed or attempted, and jobs run: for tests and metrics */
  readonly stats = { batches: 0, jobs: 0 };
  constructor(
    private readonly db: Database,
    private readonly path: string,
  ) {}

  submit<T>(run: (db: Database) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#jobs.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#drain());
      }
    });
  }

  /** Resolves once every job submitted so far has settled. */
  drained(): Promise<void> {
    if (this.#jobs.length === 0 && !this.#scheduled) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  #drain(): void {
    while (this.#jobs.length > 0) this.#runBatch(this.#jobs.splice(0, MAX_BATCH));
    this.#scheduled = false;
    for (const r of this.#idle.splice(0)) r();
  }

  #runBatch(batch: Job[]): void {
    this.stats.batches++;
    this.stats.jobs += batch.length;
    if (!this.#runFast(batch)) this.#runIsolated(batch);
  }

  /** The whole batch in one transaction without savepoints; false (nothing committed, nothing settled) when a job threw. */
  #runFast(batch: Job[]): boolean {
    const db = this.db;
    try {
      db.exec("BEGIN IMMEDIATE");
    } catch {
      return false; // the isolated run reports it
    }
    const values: unknown[] = new Array(batch.length);
    try {
      for (let i = 0; i < batch.length; i++) values[i] = batch[i]!.run(db);
      db.exec("COMMIT");
    } catch {
      if (db.inTransaction) {
        try {
          db.exec("ROLLBACK");
        } catch {
          // the isolated run starts from a clean connection or reports why not
        }
      }
      return false;
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(values[i]);
    return true;
  }

  #runIsolated(batch: Job[]): void {
    const db = this.db;
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      db.exec("BEGIN IMMEDIATE");
    } catch (err) {
      const e = mapSqliteError(err, this.path, "starting a write");
      for (const j of batch) j.reject(e);
      return;
    }
    let fatal: unknown;
    for (const job of batch) {
      db.query("SAVEPOINT job").run();
      try {
        const value = job.run(db);
        db.query("RELEASE job").run();
        outcomes.push({ ok: true, value });
      } catch (err) {
        if (!db.inTransaction) {
          fatal = err; // SQLite rolled the whole transaction back
          break;
        }
        try {
          db.query("ROLLBACK TO job").run();
          db.query("RELEASE job").run();
        } catch (e2) {
          fatal = e2;
          break;
        }
        outcomes.push({ ok: false, value: isSqlite(err) ? mapSqliteError(err, this.path, "writing") : err });
      }
    }
    if (fatal === undefined) {
      try {
        db.exec("COMMIT");
      } catch (err) {
        fatal = err;
      }
    }
    if (fatal !== undefined) {
      if (db.inTransaction) {
        try {
          db.exec("ROLLBACK");
        } catch {
          // nothing more to undo
        }
      }
      const e = mapSqliteError(fatal, this.path, "writing");
      for (const j of batch) j.reject(e);
      return;
    }
    batch.forEach((j, i) => {
      const o = outcomes[i]!;
      if (o.ok) j.resolve(o.value);
      else j.reject(o.value);
    });
  }
}

function isSqlite(err: unknown): boolean {
  return String((err as { code?: unknown })?.code ?? "").startsWith("SQLITE_");
}
