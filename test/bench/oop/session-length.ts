/**
 * Session length phase of throughput.ts: the per-message latency of one session that already
 * holds ~10,000 events (2,500 turns: user_message, run_started, assistant_message, run_finished
 * each) against a new session, both closed loop, one after the other on the same gateway.
 */
import { driveInChild, type DriveResult } from "./drive.ts";
import { BENCH_TOKEN, type BinaryGateway } from "./gateway-proc.ts";

const TURNS = Number(process.env.BENCH_LONG_TURNS ?? 2_500);
const MEASURED = 500;

export async function lengthPhase(gw: BinaryGateway, wsUrl: string): Promise<void> {
  const one = (prefix: string, messages: number): Promise<DriveResult> =>
    driveInChild({ kind: "gateway", url: wsUrl, token: BENCH_TOKEN, sessions: 1, connections: 1, messages, prefix, maxSeconds: 300 });
  await one("len-long-", TURNS); // builds the long session
  const fresh = await one("len-new-", MEASURED);
  const long = await one("len-long-", MEASURED);
  const fmt = (r: DriveResult) => `p50 ${r.p50.toFixed(3).padStart(7)} ms   p99 ${r.p99.toFixed(3).padStart(7)} ms   ${r.rate.toFixed(0).padStart(5)} msg/s`;
  console.log(`\nsession length (one session, ${MEASURED} messages each)`);
  console.log(`  new session                ${fmt(fresh)}`);
  console.log(`  after ${TURNS * 4} events        ${fmt(long)}`);
  console.log(`  long / new                 p50 ${(long.p50 / fresh.p50).toFixed(2)}×   p99 ${(long.p99 / fresh.p99).toFixed(2)}×`);
}
