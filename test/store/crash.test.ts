// Crash test: a child appends and prints each acknowledged seq; we SIGKILL it at random moments
// (sometimes during start-up or migration, mostly mid-append) over 12 rounds on the same file.
// After each kill: integrity_check is ok, each session's seqs are gap-free, every acked seq is there.
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../src/store/sqlite.ts";

const dir = mkdtempSync(join(tmpdir(), "store-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const child = join(import.meta.dir, "fixtures", "crash-child.ts");

async function round(path: string, killAfterMs: number): Promise<Map<string, Set<number>>> {
  const proc = Bun.spawn([process.execPath, child, path], { stdout: "pipe", stderr: "pipe" });
  const acked = new Map<string, Set<number>>();
  const reader = new Response(proc.stdout).text();
  await Bun.sleep(killAfterMs);
  proc.kill("SIGKILL");
  await proc.exited;
  const buffered = await reader;
  for (const line of buffered.split("\n")) {
    const m = /^ack (s\d) (\d+)$/.exec(line);
    if (!m) continue;
    if (!acked.has(m[1]!)) acked.set(m[1]!, new Set());
    acked.get(m[1]!)!.add(Number(m[2]));
  }
  return acked;
}

test("SIGKILL at random moments never loses an acknowledged append nor leaves a gap", async () => {
  const path = join(dir, "state", "openclaw.db");
  const allAcked = new Map<string, Set<number>>();
  const delays = [5, 40, 80, 120, 160, 200, 250, 300, 350, 400, 450, 500].map((d) => d + Math.floor(Math.random() * 60));
  for (const delay of delays) {
    const acked = await round(path, delay);
    for (const [s, seqs] of acked) {
      if (!allAcked.has(s)) allAcked.set(s, new Set());
      for (const q of seqs) allAcked.get(s)!.add(q);
    }
    if (!existsSync(path)) {
      expect(allAcked.size).toBe(0); // killed before the store was even created
      continue;
    }
    const db = new Database(path);
    try {
      expect(db.query("PRAGMA integrity_check").values().map((r) => r[0])).toEqual(["ok"]);
      for (const [s, seqs] of allAcked) {
        const rows = db.query<{ seq: number }, [string]>("SELECT seq FROM events WHERE session_key = ? ORDER BY seq").all(s);
        const present = rows.map((r) => r.seq);
        expect(present).toEqual(Array.from({ length: present.length }, (_, i) => i + 1)); // gap-free from 1
        const last = db.query<{ last_seq: number }, [string]>("SELECT last_seq FROM sessions WHERE key = ?").get(s)!.last_seq;
        expect(last).toBe(present.length);
        for (const q of seqs) expect(q).toBeLessThanOrEqual(present.length); // every acked seq survived
      }
    } finally {
      db.close();
    }
  }
  const total = [...allAcked.values()].reduce((n, s) => n + s.size, 0);
  expect(total).toBeGreaterThan(0); // the rounds did reach the append loop
  const store = await openStore(path); // and the store itself opens cleanly afterwards
  expect(store.integrityCheck()).toEqual(["ok"]);
  await store.close();
  console.log(`crash test: ${delays.length} kills, ${total} acknowledged appends, all present`);
}, 60_000);
