/**
 * The memory benchmark (prints figures; never pass/fail), measured the way a user runs the product:
 * the compiled binary with its default config, the Anthropic load fake over HTTP in a second
 * process, the load generator (oop/drive.ts) in a third. Each run starts a fresh binary and store,
 * then: idle baseline (after a full GC) → warm-up → half the messages → full GC, sample → the other
 * half over the same sessions → full GC, sample. Prints per run the growth between the two samples
 * (target ≤ 10%), RSS after all messages (target ≤ 120 MB), stored bytes per message (db + WAL over
 * messages; target ≤ 2 KB per user turn + reply) and the smaps split (anonymous vs file-backed).
 *
 * Env: MEMORY_RUNS (5), MEMORY_MESSAGES (100,000), MEMORY_SESSIONS (10,000), MEMORY_MAX_SECONDS per
 * drive (300): bounded in count and time.
 */
import { driveInChild } from "./oop/drive.ts";
import { BENCH_TOKEN, startBinary, startProvider } from "./oop/gateway-proc.ts";
import { mib, readMemory, smapsByKind, type MemoryReading } from "./oop/memory-probe.ts";

const RUNS = Number(process.env.MEMORY_RUNS ?? 5);
const MESSAGES = Number(process.env.MEMORY_MESSAGES ?? 100_000);
const SESSIONS = Number(process.env.MEMORY_SESSIONS ?? 10_000);
const MAX_SECONDS = Number(process.env.MEMORY_MAX_SECONDS ?? 300);
const TARGET_RSS_MB = 120;
const TARGET_BYTES_PER_MSG = 2048;

const split = (m: MemoryReading) => {
  const s = m.smapsRollup;
  return s ? `anon ${mib(s.Anonymous ?? 0).toFixed(1)} MiB, file ${mib((s.Rss ?? 0) - (s.Anonymous ?? 0)).toFixed(1)} MiB` : "no smaps";
};
const top = (m: MemoryReading) => Object.entries(m.heap.topTypes).slice(0, 6).map(([k, v]) => `${k} ${v}`).join(", ");

console.log(`memory: ${RUNS} run(s), ${MESSAGES} messages over ${SESSIONS} sessions each, compiled binary, default config`);
const provider = await startProvider();
const rows: { idle: number; half: number; full: number; growth: number; perMsg: number }[] = [];
try {
  for (let run = 1; run <= RUNS; run++) {
    const gw = await startBinary(provider.url);
    try {
      const url = `ws://127.0.0.1:${gw.port}/ws`;
      const idle = await readMemory(gw.port, true);
      const connections = Math.min(100, SESSIONS);
      const warm = Math.min(2_000, SESSIONS);
      await driveInChild({ kind: "gateway", url, token: BENCH_TOKEN, sessions: warm, connections: Math.min(connections, warm), messages: warm, maxSeconds: MAX_SECONDS, prefix: "warm-" });
      const halfN = Math.floor(MESSAGES / 2);
      const a = await driveInChild({ kind: "gateway", url, token: BENCH_TOKEN, sessions: SESSIONS, connections, messages: halfN, maxSeconds: MAX_SECONDS, prefix: "s-" });
      const half = await readMemory(gw.port, true);
      const halfMaps = smapsByKind(gw.pid);
      const b = await driveInChild({ kind: "gateway", url, token: BENCH_TOKEN, sessions: SESSIONS, connections, messages: MESSAGES - halfN, maxSeconds: MAX_SECONDS, prefix: "s-" });
      const full = await readMemory(gw.port, true);
      const fullMaps = smapsByKind(gw.pid);
      const messages = warm + a.messages + b.messages;
      const stored = gw.storedBytes();
      const growth = ((full.rssBytes - half.rssBytes) / half.rssBytes) * 100;
      const perMsg = stored / messages;
      rows.push({ idle: mib(idle.rssBytes), half: mib(half.rssBytes), full: mib(full.rssBytes), growth, perMsg });
      console.log(
        `run ${run}: idle ${mib(idle.rssBytes).toFixed(1)} MiB | ${a.messages} msgs ${mib(half.rssBytes).toFixed(1)} MiB | ${a.messages + b.messages} msgs ${mib(full.rssBytes).toFixed(1)} MiB ` +
          `(${(full.rssBytes / 1e6).toFixed(1)} MB vs ${TARGET_RSS_MB} MB target) | growth ${growth.toFixed(1)}% (target ≤ 10%) | ` +
          `stored ${(perMsg).toFixed(0)} B/msg (target ≤ ${TARGET_BYTES_PER_MSG}) | ${a.rate.toFixed(0)}/${b.rate.toFixed(0)} msg/s`,
      );
      console.log(`        at end: ${split(full)}; JS heap ${mib(full.heap.heapSize).toFixed(1)} MiB, extra ${mib(full.heap.extraMemorySize).toFixed(1)} MiB, ${full.heap.objectCount} objects; top: ${top(full)}`);
      const maps = (m: ReturnType<typeof smapsByKind>) => (m ? `brk ${mib(m.brk).toFixed(1)}, anon mmap ${mib(m.anonMmap).toFixed(1)}, file ${mib(m.file).toFixed(1)}, other ${mib(m.other).toFixed(1)} MiB` : "no smaps");
      console.log(`        smaps by mapping: at half ${maps(halfMaps)}; at end ${maps(fullMaps)}`);
      console.log(`        sqlite: ${JSON.stringify(full.sqlite)}; structures: ${JSON.stringify(full.structures)}`);
    } finally {
      await gw.stop();
    }
  }
} finally {
  await provider.stop();
}
if (rows.length > 1) {
  const worst = Math.max(...rows.map((r) => r.growth));
  const maxRss = Math.max(...rows.map((r) => r.full));
  console.log(`summary: worst growth ${worst.toFixed(1)}%, max RSS at end ${maxRss.toFixed(1)} MiB, stored ${Math.max(...rows.map((r) => r.perMsg)).toFixed(0)} B/msg (max)`);
}
