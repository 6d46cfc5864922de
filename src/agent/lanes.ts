/**
 * Scheduling of runs: one lane per session (FIFO, one job at a time) and one global bound on the
 * number of jobs running at once (`maxConcurrent`). A job starts when it is the head of its session
 * lane AND a permit is free; jobs waiting for a permit are served FIFO across sessions. A job that
 * has not started can be cancelled; it leaves its lane without running.
 *
 * A caller that wants to know, before doing some work, that a job will start at once can reserve
 * the session's idle lane and a permit (`tryReserve`), then `submitReserved` the job (it starts
 * immediately) or `cancelReservation`. The waiting queue is a head-indexed array: O(1) dequeue.
 */
export interface LaneJob {
  readonly sessionKey: string;
  /** runs the job; must not reject (a rejection is swallowed) */
  run(): Promise<void>;
}

export class Lanes {
  #lanes = new Map<string, LaneJob[]>();
  #waiting: LaneJob[] = [];
  #head = 0;
  #running = new Set<LaneJob>();
  #reserved = new Set<string>();
  /** started jobs that gave their permit back while they wait for something else (a cluster lease) */
  #parked = new Set<LaneJob>();
  /** parked jobs asking for a permit again: served before new jobs */
  #resume: { job: LaneJob; go: () => void }[] = [];
  #max: number;

  constructor(maxConcurrent: number) {
    this.#max = Math.max(1, Math.floor(maxConcurrent));
  }

  #busy(): number {
    return this.#running.size + this.#reserved.size;
  }

  /** Reserve the idle lane of `sessionKey` and a free permit; false when a job would have to wait. */
  tryReserve(sessionKey: string): boolean {
    if (this.#lanes.has(sessionKey) || this.#busy() >= this.#max) return false;
    this.#lanes.set(sessionKey, []);
    this.#reserved.add(sessionKey);
    return true;
  }

  /** Start `job` in the lane and permit reserved for its session (ahead of anything queued there since). */
  submitReserved(job: LaneJob): void {
    if (!this.#reserved.delete(job.sessionKey)) return this.submit(job);
    const lane = this.#lanes.get(job.sessionKey)!;
    lane.unshift(job);
    this.#start(job);
  }

  cancelReservation(sessionKey: string): void {
    if (!this.#reserved.delete(sessionKey)) return;
    const lane = this.#lanes.get(sessionKey);
    if (lane && lane.length === 0) this.#lanes.delete(sessionKey);
    else if (lane) this.#waiting.push(lane[0]!);
    this.#pump();
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

  /**
   * A running job gives its permit back while it waits (its lane stays held: the session's next job
   * does not start). `unpark` resolves when it holds a permit again; parked jobs go first.
   */
  park(job: LaneJob): void {
    if (!this.#running.delete(job)) return;
    this.#parked.add(job);
    this.#pump();
  }

  unpark(job: LaneJob): Promise<void> {
    if (!this.#parked.has(job)) return Promise.resolve();
    return new Promise((go) => {
      this.#resume.push({ job, go });
      this.#pump();
    });
  }

  /** Remove a job that has not started. Returns false when it is running or unknown. */
  cancel(job: LaneJob): boolean {
    if (this.#running.has(job) || this.#parked.has(job)) return false;
    const lane = this.#lanes.get(job.sessionKey);
    const i = lane ? lane.indexOf(job) : -1;
    if (!lane || i < 0) return false;
    lane.splice(i, 1);
    const w = this.#waiting.indexOf(job, this.#head);
    if (w >= 0) this.#waiting.splice(w, 1);
    if (lane.length === 0) this.#lanes.delete(job.sessionKey);
    else if (i === 0) this.#ready(lane[0]!);
    return true;
  }

  #ready(job: LaneJob): void {
    if (this.#busy() < this.#max) this.#start(job);
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
    this.#parked.delete(job);
    const lane = this.#lanes.get(job.sessionKey);
    if (lane) {
      lane.shift();
      if (lane.length === 0) this.#lanes.delete(job.sessionKey);
      else this.#waiting.push(lane[0]!); // behind jobs of other sessions that waited longer
    }
    this.#pump();
  }

  #pump(): void {
    while (this.#busy() < this.#max && this.#resume.length > 0) {
      const r = this.#resume.shift()!;
      if (!this.#parked.delete(r.job)) continue;
      this.#running.add(r.job);
      r.go();
    }
    while (this.#busy() < this.#max && this.#head < this.#waiting.length) {
      const job = this.#waiting[this.#head]!;
      this.#waiting[this.#head++] = undefined as unknown as LaneJob;
      this.#start(job);
    }
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
  }
}
