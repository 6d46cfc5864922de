// Lanes.park/unpark (used while a run waits for its cluster lease): a parked job frees its permit but
// keeps its session lane; unpark waits for a permit and is served before new jobs.
import { expect, test } from "bun:test";
import { Lanes, type LaneJob } from "../../src/agent/lanes.ts";
import { deferred } from "./helpers.ts";

function job(sessionKey: string, log: string[], body: () => Promise<void> = async () => {}): LaneJob {
  return { sessionKey, run: async () => { log.push(`start ${sessionKey}`); await body(); log.push(`end ${sessionKey}`); } };
}

test("a parked job frees its permit, keeps its lane, and gets a permit back before queued jobs", async () => {
  const lanes = new Lanes(1);
  const log: string[] = [];
  const gate = deferred();
  const resumed = deferred();
  let a!: LaneJob;
  a = job("s1", log, async () => {
    lanes.park(a);
    await gate.promise;
    await lanes.unpark(a);
    log.push("s1 has a permit again");
    resumed.resolve();
    await Bun.sleep(20);
  });
  const sameSession = job("s1", log);
  const b = deferred();
  const other = job("s2", log, () => b.promise);
  const third = job("s3", log);
  lanes.submit(a);
  lanes.submit(sameSession);
  lanes.submit(other);
  await Bun.sleep(10);
  expect(log).toEqual(["start s1", "start s2"]); // s2 took the freed permit; s1's next job waits for its lane
  lanes.submit(third); // queued: the only permit is s2's
  gate.resolve(); // s1 wants its permit back: it goes before s3
  await Bun.sleep(10);
  expect(log).toEqual(["start s1", "start s2"]);
  b.resolve();
  await resumed.promise;
  expect(log).toEqual(["start s1", "start s2", "end s2", "s1 has a permit again"]);
  while (log.length < 9) await Bun.sleep(5);
  expect(log.slice(4)).toEqual(["end s1", "start s3", "end s3", "start s1", "end s1"]);
  expect(lanes.cancel(a)).toBe(false);
});
