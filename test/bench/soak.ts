/**
 * `npm run soak` (not part of `npm test`, and test/bench/run.ts skips it): a long steady load on the
 * compiled binary with its default config, the Anthropic load fake over HTTP in another process and
 * the load generator (oop/drive.ts) in short-lived child processes — so every round's clients are
 * new connections (reconnecting clients). Each round: 1,000 steady sessions get SOAK_ROUND_MESSAGES
 * messages; SOAK_NEW_SESSIONS new sessions each get one; the new sessions of SOAK_KEEP_ROUNDS rounds
 * ago are deleted (sessions.delete). RSS (/proc/<pid>/status, no GC forced: what a user sees) is
 * sampled every SOAK_SAMPLE_S seconds; at the end an SVG chart (Observable Plot, test/bench/chart.ts),
 * a CSV and a JSON of the samples are written to SOAK_OUT (default: a new temp dir) and the
 * least-squares slope in MiB/hour is printed, over all samples and over the second half.
 *
 * Env: SOAK_MINUTES (30), SOAK_SAMPLE_S (10), SOAK_ROUND_MESSAGES (5,000), SOAK_NEW_SESSIONS (50),
 * SOAK_KEEP_ROUNDS (3), SOAK_PAUSE_MS (1,000, between rounds: a steady, not saturating, load), SOAK_OUT.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { leastSquares, rssChartSvg, type RssSample } from "./chart.ts";
import { driveInChild } from "./oop/drive.ts";
import { BENCH_TOKEN, rssOf, startBinary, startProvider } from "./oop/gateway-proc.ts";
import { mib, readMemory } from "./oop/memory-probe.ts";

const env = (name: string, d: number): number => {
  const v = Number(process.env[name] ?? d);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number (got ${process.env[name]})`);
  return v;
};
const MINUTES = env("SOAK_MINUTES", 30);
const SAMPLE_S = env("SOAK_SAMPLE_S", 10);
const ROUND_MESSAGES = env("SOAK_ROUND_MESSAGES", 5_000);
const NEW_SESSIONS = env("SOAK_NEW_SESSIONS", 50);
const KEEP_ROUNDS = env("SOAK_KEEP_ROUNDS", 3);
const PAUSE_MS = env("SOAK_PAUSE_MS", 1_000);
const STEADY = 1_000;
const out = process.env.SOAK_OUT ?? mkdtempSync(join(tmpdir(), "openclaw-soak-"));
mkdirSync(out, { recursive: true });

async function rpc(port: number, method: string, params: unknown): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}/rpc`, {
    method: "POST",
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

console.log(`soak: ${MINUTES} min, ${STEADY} steady sessions, ${ROUND_MESSAGES} msgs/round, ${NEW_SESSIONS} new + deletions per round, RSS every ${SAMPLE_S} s → ${out}`);
const provider = await startProvider();
const gw = await startBinary(provider.url);
const url = `ws://127.0.0.1:${gw.port}/ws`;
const samples: RssSample[] = [];
const t0 = performance.now();
const sample = () => samples.push({ t: Math.round((performance.now() - t0) / 100) / 10, rssMiB: Math.round(mib(rssOf(gw.pid)) * 100) / 100 });
sample();
const timer = setInterval(sample, SAMPLE_S * 1000);
let round = 0;
let messages = 0;
let deleted = 0;
try {
  const end = t0 + MINUTES * 60_000;
  while (performance.now() < end) {
    round++;
    const steady = await driveInChild({ kind: "gateway", url, token: BENCH_TOKEN, sessions: STEADY, connections: 50, messages: ROUND_MESSAGES, maxSeconds: 120, prefix: "steady-" });
    const fresh = await driveInChild({ kind: "gateway", url, token: BENCH_TOKEN, sessions: NEW_SESSIONS, connections: 10, messages: NEW_SESSIONS, maxSeconds: 60, prefix: `new-${round}-` });
    messages += steady.messages + fresh.messages;
    const old = round - KEEP_ROUNDS;
    if (old >= 1) {
      for (let s = 0; s < NEW_SESSIONS; s++) if (((await rpc(gw.port, "sessions.delete", { sessionKey: `new-${old}-${s}` })) as { deleted: boolean }).deleted) deleted++;
    }
    await Bun.sleep(PAUSE_MS);
  }
  sample();
  clearInterval(timer);
  const final = await readMemory(gw.port, true);
  const all = leastSquares(samples);
  const second = leastSquares(samples.slice(Math.floor(samples.length / 2)));
  const perHour = (f: { b: number } | null) => (f ? `${(f.b * 3600).toFixed(1)} MiB/hour` : "n/a");
  const svg = rssChartSvg(samples, `openclaw soak: RSS over ${MINUTES} min (${messages} messages, slope ${perHour(all)})`, all);
  writeFileSync(join(out, "soak-rss.svg"), svg);
  writeFileSync(join(out, "soak-rss.csv"), "t_s,rss_mib\n" + samples.map((s) => `${s.t},${s.rssMiB}`).join("\n") + "\n");
  writeFileSync(join(out, "soak-rss.json"), JSON.stringify({ minutes: MINUTES, rounds: round, messages, deleted, samples, slopeMiBPerHour: all ? all.b * 3600 : null, secondHalfSlopeMiBPerHour: second ? second.b * 3600 : null, finalAfterGc: { rssBytes: final.rssBytes, smapsRollup: final.smapsRollup, heap: final.heap, sqlite: final.sqlite, structures: final.structures } }, null, 1));
  const rss = samples.map((s) => s.rssMiB);
  console.log(`soak: ${round} rounds, ${messages} messages, ${deleted} sessions deleted, ${samples.length} samples`);
  console.log(`RSS: first ${rss[0]} MiB, min ${Math.min(...rss)}, max ${Math.max(...rss)}, last ${rss.at(-1)} MiB; after a full GC ${mib(final.rssBytes).toFixed(1)} MiB`);
  console.log(`slope (least squares): ${perHour(all)} over all samples, ${perHour(second)} over the second half`);
  console.log(`wrote ${join(out, "soak-rss.svg")}, .csv, .json`);
} finally {
  clearInterval(timer);
  await gw.stop();
  await provider.stop();
}
