/**
 * Scheduling of runs: one lane per session (FIFO, one job at a time) and one global bound on the
 * number of jobs running at once (`maxConcurrent`). A job starts when it is the head of its session
 * lane AND a permit is free; jobs waiting for a permit are served FIFO across sessions. A job that
 * has not started can be cancelled; it leaves its lane without running.
 */
export interface LaneJob {
  readonly sessionKey: string;
  /** runs the job; must not reject (a rejection is swallowed) */
  run(): Promise<void>;
}

export class Lanes {
  #lanes = new Map<string, LaneJob[]>();
  #waiting: LaneJob[] = [];
  #running = new Set<LaneJob>();
  #max: number;

  constructor(maxConcurrent: number) {
    this.#max = Math.max(1, Math.floor(maxConcurrent));
  }

  get running(): number {
    return this.#running.size;
  }

  get maxConcurrent(): number {
    return this.#max;
  }

  submit(job: LaneJob): void {
    const lane = this.#lanes.get(job.sessionKey);
    if (lane) {
      lane.push(job);
      return;
    }
    this.#lanes.set(job.sessionKey, [job]);
    this.#ready(job);
  }

  isStarted(job: LaneJob): boolean {
    return this.#running.has(job);
  }

  /** Remove a job that has not started. Returns false when it is running or unknown. */
  cancel(job: LaneJob): boolean {
    if (this.#running.has(job)) return false;
    const lane = this.#lanes.get(job.sessionKey);
    const i = lane ? lane.indexOf(job) : -1;
    if (!lane || i < 0) return false;
    lane.splice(i, 1);
    const w = this.#waiting.indexOf(job);
    if (w >= 0) this.#waiting.splice(w, 1);
    if (lane.length === 0) this.#lanes.delete(job.sessionKey);
    else if (i === 0) this.#ready(lane[0]!);
    return true;
  }

  #ready(job: LaneJob): void {
    if (this.#running.size < this.#max) this.#start(job);
    else this.#waiting.push(job);
  }

  #start(job: LaneJob): void {
    this.#running.add(job);
    void Promise.resolve()
      .then(() => job.run())
      .catch(() => undefined)
      .finally(() => this.#finish(job));
  }

  #finish(job: LaneJob): void {
    this.#running.delete(job);
    const lane = this.#lanes.get(job.sessionKey);
    if (lane) {
      lane.shift();
      if (lane.length === 0) this.#lanes.delete(job.sessionKey);
      else this.#waiting.push(lane[0]!); // behind jobs of other sessions that waited longer
    }
    while (this.#running.size < this.#max && this.#waiting.length) this.#start(this.#waiting.shift()!);
  }
}
