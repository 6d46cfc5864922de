// Disk full, two ways: a real tmpfs of 1 MiB when we may mount one (root, as in CI; otherwise that
// case also falls back), and always SQLite's max_page_count, which returns the same SQLITE_FULL.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StorageFullError } from "../../src/core/errors.ts";
import { openStore } from "../../src/store/sqlite.ts";
import { userMsg } from "./contract.ts";

const dir = mkdtempSync(join(tmpdir(), "store-full-"));
const mountPoint = join(dir, "tmpfs");
let mounted = false;
function tryMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  mkdirSync(mountPoint);
  const r = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint], { stderr: "pipe" });
  return r.exitCode === 0;
}
afterAll(() => {
  if (mounted) Bun.spawnSync(["umount", "-l", mountPoint]);
  rmSync(dir, { recursive: true, force: true });
});

for (const mode of ["tmpfs", "max_page_count"] as const) {
test(`SQLITE_FULL (${mode}) gives StorageFullError; the store stays readable and recovers when space returns`, async () => {
  if (mode === "tmpfs") mounted = tryMount();
  const useTmpfs = mode === "tmpfs" && mounted;
  console.log(`disk-full simulation: ${useTmpfs ? "tmpfs (1 MiB)" : "PRAGMA max_page_count"}`);
  const base = join(dir, useTmpfs ? "tmpfs" : mode);
  const path = join(base, "state", "openclaw.db");
  mkdirSync(join(base, "state"), { recursive: true });
  const filler = join(base, "filler");
  if (useTmpfs) writeFileSync(filler, Buffer.alloc(300 * 1024)); // freed later to make room
  const store = await openStore(path, useTmpfs ? {} : { maxPages: 120 });
  const big = "x".repeat(8 * 1024);
  let acked = 0;
  let fullError: unknown;
  for (let i = 0; i < 500 && !fullError; i++) {
    try {
      await store.append("s", { data: userMsg(`run_${i}`, big) });
      acked++;
    } catch (err) {
      fullError = err;
    }
  }
  expect(fullError).toBeInstanceOf(StorageFullError);
  expect((fullError as Error).message).toContain("disk full");
  expect((fullError as StorageFullError).httpStatus).toBe(507);
  // still readable, nothing half-written, seqs intact
  const latest = await store.readLatest("s", 3);
  expect(latest.map((e) => e.seq)).toEqual([acked - 2, acked - 1, acked]);
  expect((await store.getSession("s"))!.lastSeq).toBe(acked);
  expect(store.integrityCheck()).toEqual(["ok"]);
  // a second write while still full fails the same way, without corrupting anything
  await expect(store.append("s", { data: userMsg("run_again", big) })).rejects.toBeInstanceOf(StorageFullError);
  await store.close();
  // once space is back (or the quota raised), writes resume where they stopped
  if (useTmpfs) rmSync(filler);
  const again = await openStore(path, useTmpfs ? {} : { maxPages: 100_000 });
  const next = await again.append("s", { data: userMsg("run_after", "small") });
  expect(next.seq).toBe(acked + 1);
  expect(again.integrityCheck()).toEqual(["ok"]);
  await again.close();
});
}
