/**
 * Session length phase of throughput.ts: the per-message latency of one session that already
 * holds ~10,000 events (2,500 turns: user_message, run_started, assistant_message, run_finished
 * each) against a new session, both closed loop on the same gateway. The two are measured in
 * alternating blocks (new, long, new, long, …) so that a noisy moment on a shared machine falls on
 * both; the ratio reported is the median of the blocks' p50 ratios (each block's pair ran back to
 * back). Beside it, the gateway's own CPU per message (user + system, all its threads) in each: the
 * part of the cost that is ours, apart from the provider fake reading a larger body.
 */
import { driveInChild, type DriveResult } from "./drive.ts";
import { BENCH_TOKEN, cpuMsOf, type BinaryGateway } from "./gateway-proc.ts";

const TURNS = Number(process.env.BENCH_LONG_TURNS ?? 2_500);
const BLOCKS = 5;
const PER_BLOCK = 100;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function lengthPhase(gw: BinaryGateway, wsUrl: string): Promise<void> {
  const one = (prefix: string, messages: number): Promise<DriveResult> =>
    driveInChild({ kind: "gateway", url: wsUrl, token: BENCH_TOKEN, sessions: 1, connections: 1, messages, prefix, maxSeconds: 300 });
  await one("len-long-", TURNS); // builds the long session
  const fresh: DriveResult[] = [];
  const long: DriveResult[] = [];
  const cpu = { fresh: 0, long: 0 };
  const timed = async (into: DriveResult[], key: keyof typeof cpu, prefix: string) => {
    const c0 = cpuMsOf(gw.pid);
    const r = await one(prefix, PER_BLOCK);
    cpu[key] += cpuMsOf(gw.pid) - c0;
    into.push(r);
    return r;
  };
  for (let b = 0; b < BLOCKS; b++) {
    await timed(fresh, "fresh", "len-new-");
    await timed(long, "long", "len-long-");
  }
  const perMsg = (ms: number, rs: DriveResult[]) => (ms * 1000) / Math.max(1, rs.reduce((n, r) => n + r.messages, 0));
  const ratios = fresh.map((f, i) => long[i]!.p50 / f.p50);
  const p99s = fresh.map((f, i) => long[i]!.p99 / f.p99);
  const fmt = (rs: DriveResult[]) =>
    `p50 ${median(rs.map((r) => r.p50)).toFixed(3).padStart(7)} ms   p99 ${median(rs.map((r) => r.p99)).toFixed(3).padStart(7)} ms   ${median(rs.map((r) => r.rate)).toFixed(0).padStart(5)} msg/s`;
  console.log(`\nsession length (one session, ${BLOCKS} alternating blocks of ${PER_BLOCK} messages; medians over blocks)`);
  console.log(`  new session                ${fmt(fresh)}`);
  console.log(`  after ${TURNS * 4} events        ${fmt(long)}`);
  console.log(`  long / new, per block      p50 ${ratios.map((r) => r.toFixed(2)).join(" ")}`);
  console.log(`  long / new                 p50 ${median(ratios).toFixed(2)}× (median of blocks)   p99 ${median(p99s).toFixed(2)}×`);
  const cf = perMsg(cpu.fresh, fresh);
  const cl = perMsg(cpu.long, long);
  console.log(`  gateway cpu / msg          new ${cf.toFixed(0)} µs, long ${cl.toFixed(0)} µs (${(cl / cf).toFixed(2)}×)`);
}
