/**
 * Group commit for PgStore's appends: appends that arrive while a transaction is open share the next
 * one, so N concurrent appends cost one COMMIT (one WAL flush) instead of N. A job's promise resolves
 * only after the COMMIT of the transaction it ran in (acknowledged means committed).
 *
 * - At most `maxBatches` transactions are open at once (each takes up to `maxBatch` queued jobs); an
 *   idle store starts a job at once, so batching costs no latency, it only appears under load.
 * - Inside a batch, jobs run in session-key order (stable: one session's jobs keep their order), so
 *   every batch on every node takes its session row locks in the same global order and two batches
 *   cannot deadlock on them.
 * - A job must be re-runnable (it reads what it needs inside the transaction). When a batch of
 *   several jobs fails with an error the server reported before COMMIT (`retryAlone`: a job's
 *   constraint error, a deadlock), nothing of it was committed, and each job is retried alone in its
 *   own transaction, so one bad job fails alone. Any other failure (a connection lost, possibly during
 *   COMMIT, when the outcome is unknown) rejects every job of the batch and retries nothing: a retry
 *   could apply an append twice.
 */
export interface GroupCommitOptions {
  /** transactions open at once (default 4) */
  maxBatches?: number;
  /** jobs per transaction (default 64) */
  maxBatch?: number;
  /** the batch failed before COMMIT, so its jobs may be retried one by one (default: never) */
  retryAlone?: (err: unknown) => boolean;
}

/** Runs `fn` in one transaction and resolves after its COMMIT (Bun's `sql.begin`). */
export type Transact<Q> = <T>(fn: (q: Q) => Promise<T>) => Promise<T>;

interface Job<Q> {
  key: string;
  run(q: Q): Promise<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

export class GroupCommit<Q> {
  readonly #transact: Transact<Q>;
  readonly #maxBatches: number;
  readonly #maxBatch: number;
  readonly #retryAlone: (err: unknown) => boolean;
  #queue: Job<Q>[] = [];
  #open = 0;
  /** transactions committed and jobs they carried (for tests and `gateway.memory`-style stats) */
  readonly stats = { transactions: 0, jobs: 0, retriedAlone: 0 };

  constructor(transact: Transact<Q>, opts: GroupCommitOptions = {}) {
    this.#transact = transact;
    this.#maxBatches = Math.max(1, opts.maxBatches ?? 4);
    this.#maxBatch = Math.max(1, opts.maxBatch ?? 64);
    this.#retryAlone = opts.retryAlone ?? (() => false);
  }

  /** Run `run` in a shared transaction; `key` orders it in its batch (the session key). */
  submit<T>(key: string, run: (q: Q) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ key, run, resolve: resolve as (v: unknown) => void, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#open < this.#maxBatches && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#open++;
      void this.#commit(batch).finally(() => {
        this.#open--;
        this.#pump();
      });
    }
  }

  async #commit(batch: Job<Q>[]): Promise<void> {
    const ordered = batch.length > 1 ? stableByKey(batch) : batch;
    try {
      const results = await this.#transact(async (q) => {
        const out: unknown[] = [];
        for (const job of ordered) out.push(await job.run(q));
        return out;
      });
      this.stats.transactions++;
      this.stats.jobs += ordered.length;
      ordered.forEach((job, i) => job.resolve(results[i]));
    } catch (err) {
      if (ordered.length === 1 || !this.#retryAlone(err)) {
        for (const job of ordered) job.reject(err);
        return;
      }
      for (const job of ordered) await this.#alone(job); // nothing was committed: each on its own
    }
  }

  async #alone(job: Job<Q>): Promise<void> {
    this.stats.retriedAlone++;
    try {
      job.resolve(await this.#transact((q) => job.run(q)));
      this.stats.transactions++;
      this.stats.jobs++;
    } catch (err) {
      job.reject(err);
    }
  }
}

function stableByKey<Q>(jobs: Job<Q>[]): Job<Q>[] {
  return jobs
    .map((job, i) => ({ job, i }))
    .sort((a, b) => (a.job.key < b.job.key ? -1 : a.job.key > b.job.key ? 1 : a.i - b.i))
    .map((x) => x.job);
}
