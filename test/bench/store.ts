// Store and start-up benchmarks (not pass/fail). Each figure is printed next to a baseline measured
// in the same run on the same machine:
//   appends/s, one session and 1,000 sessions   vs raw bun:sqlite inserts with the same pragmas
//   latest-50 read latency, 100,000-event session vs the raw SELECT
//   `openclaw --version` start (compiled, median of 20) vs `bun -e 0` and a compiled hello-world
// Run: bun test/bench/store.ts   (builds dist/openclaw if it is missing)
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { StoredEventData } from "../../src/core/events.ts";
import { openStore } from "../../src/store/sqlite.ts";

const repo = join(import.meta.dir, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "bench-store-"));
const rows: string[][] = [];
const mb = () => `${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
const fmtMs = (x: number) => (x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(2)} ms`);
const fmtRate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString("en-US")}/s`;

const msg = (i: number): StoredEventData => ({
  type: "user_message",
  runId: `run_${i}`,
  message: { role: "user", content: [{ type: "text", text: `message ${i}: ${"lorem ipsum ".repeat(10)}` }] },
});

async function appendBench(label: string, total: number, sessions: number, inflight: number): Promise<void> {
  const store = await openStore(join(dir, `${label}.db`));
  const lat: number[] = [];
  const t0 = performance.now();
  let next = 0;
  async function worker(): Promise<void> {
    while (next < total) {
      const i = next++;
      const s = performance.now();
      await store.append(`agent:main:s${i % sessions}`, { data: msg(i), idempotencyKey: `k${i}` });
      lat.push(performance.now() - s);
    }
  }
  await Promise.all(Array.from({ length: inflight }, worker));
  const ms = performance.now() - t0;
  const { batches } = store.writeStats();
  await store.close();
  rows.push([`append, ${sessions} session(s), ${inflight} in flight`, fmtRate(total, ms), `median ${fmtMs(pct(lat, 50))}, p99 ${fmtMs(pct(lat, 99))}`, `${(total / batches).toFixed(0)} appends/commit`, mb()]);
}

function rawBaseline(label: string, total: number, perTx: number, sessions: number): void {
  const db = new Database(join(dir, `raw-${label}.db`), { create: true, strict: true });
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
  db.exec("CREATE TABLE events (session_key TEXT NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, idempotency_key TEXT UNIQUE, PRIMARY KEY (session_key, seq)) STRICT");
  const ins = db.prepare("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)");
  const t0 = performance.now();
  for (let i = 0; i < total; i += perTx) {
    db.exec("BEGIN IMMEDIATE");
    for (let j = i; j < Math.min(total, i + perTx); j++) ins.run(`s${j % sessions}`, Math.floor(j / sessions) + 1, Date.now(), "user_message", JSON.stringify(msg(j)), `k${j}`);
    db.exec("COMMIT");
  }
  const ms = performance.now() - t0;
  db.close();
  rows.push([`  baseline: raw INSERT, ${perTx}/transaction, ${sessions} session(s)`, fmtRate(total, ms), "", "", mb()]);
}

async function readBench(): Promise<void> {
  const path = join(dir, "read.db");
  const store = await openStore(path);
  for (let i = 0; i < 100_000; i += 1000) await store.appendMany("big", Array.from({ length: 1000 }, (_, j) => ({ data: msg(i + j) })));
  const lat: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const s = performance.now();
    const ev = await store.readLatest("big", 50);
    lat.push(performance.now() - s);
    if (ev.length !== 50) throw new Error("short read");
  }
  await store.close();
  rows.push(["readLatest(50) on a 100,000-event session", "", `median ${fmtMs(pct(lat, 50))}, p99 ${fmtMs(pct(lat, 99))}`, "2,000 reads", mb()]);
  const db = new Database(path, { readonly: true });
  const q = db.prepare("SELECT data FROM events WHERE session_key = ? ORDER BY seq DESC LIMIT 50");
  const raw: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const s = performance.now();
    (q.all("big") as { data: string }[]).map((r) => JSON.parse(r.data));
    raw.push(performance.now() - s);
  }
  db.close();
  rows.push(["  baseline: raw SELECT … LIMIT 50 + JSON.parse", "", `median ${fmtMs(pct(raw, 50))}, p99 ${fmtMs(pct(raw, 99))}`, "", mb()]);
}

function startBench(label: string, cmd: string[], n = 20): void {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const r = Bun.spawnSync(cmd, { stdout: "ignore", stderr: "ignore", env: { ...process.env, OPENCLAW_STATE_DIR: join(dir, "state") } });
    times.push(performance.now() - s);
    if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${r.exitCode}`);
    cpu.push(Number(r.resourceUsage?.cpuTime.total ?? 0) / 1000);
  }
  // wall time swings with machine load; CPU time (user + system) is the steadier figure
  rows.push([label, "", `median ${fmtMs(pct(times, 50))}, p99 ${fmtMs(pct(times, 99))}`, `CPU median ${fmtMs(pct(cpu, 50))}, ${n} runs`, ""]);
}

try {
  await appendBench("one", 20_000, 1, 256);
  rawBaseline("one", 20_000, 253, 1);
  await appendBench("seq", 500, 1, 1);
  rawBaseline("seq", 500, 1, 1);
  await appendBench("many", 20_000, 1000, 256);
  rawBaseline("many", 20_000, 253, 1000);
  await readBench();
  const bin = join(repo, "dist", "openclaw");
  if (!existsSync(bin)) Bun.spawnSync([process.execPath, join(repo, "build", "build.ts")], { stdout: "inherit", stderr: "inherit" });
  const hello = join(dir, "hello.ts");
  writeFileSync(hello, "console.log(1);\n");
  Bun.spawnSync([process.execPath, "build", hello, "--compile", "--minify", "--bytecode", "--outfile", join(dir, "hello")], { stdout: "ignore", stderr: "inherit" });
  startBench("openclaw --version (dist/openclaw)", [bin, "--version"]);
  startBench("  baseline: compiled hello-world", [join(dir, "hello")]);
  startBench("  baseline: bun -e 0", [process.execPath, "-e", "0"]);
  startBench("openclaw --version from source (bun src/main.ts)", [process.execPath, join(repo, "src", "main.ts"), "--version"]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const widths = [0, 1, 2, 3, 4].map((c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
console.log(`store bench — bun ${Bun.version}, ${navigator.hardwareConcurrency} CPUs, ${process.platform}, load average at end ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd());
