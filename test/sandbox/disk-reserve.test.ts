// The disk-full incident, end to end on a real small file system: a sandboxed command fills the
// disk the database shares with the workspace; the store's reserve still lets the run's
// `run_finished` land; and the sandbox's own reserve refuses the next command before it starts.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StorageFullError } from "../../src/core/errors.ts";
import { releaseReserve, reservePath } from "../../src/store/db.ts";
import { openStore } from "../../src/store/sqlite.ts";
import { userMsg } from "../store/contract.ts";
import { bwrapExecutor, useFakeHost } from "./bwrap-helpers.ts";

useFakeHost();
const dir = mkdtempSync(join(tmpdir(), "disk-reserve-"));
const disk = join(dir, "disk");
mkdirSync(disk);
const root = process.getuid?.() === 0;
// a 4 MiB file system holding both the database and the workspace (root may mount one, as in CI)
const mounted = root && Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", disk]).exitCode === 0;
afterAll(() => {
  if (mounted) Bun.spawnSync(["umount", "-l", disk]);
  rmSync(dir, { recursive: true, force: true });
});

describe("disk reserve", () => {
  test("a command fills the shared disk; the run's run_finished is still recorded; the next command is refused", async () => {
    const db = join(disk, "state", "openclaw.db");
    mkdirSync(join(disk, "state"));
    const store = await openStore(db, { reserveBytes: 1 << 20 });
    expect(statSync(reservePath(db)).size).toBe(1 << 20);
    if (!mounted) {
      // no small file system to fill without root: check only that the reserve can be freed
      console.log("disk-reserve: not root, no tmpfs; only the reserve file is checked");
      expect(releaseReserve(db)).toBe(true);
      await store.close();
      return;
    }
    await store.append("s", { data: userMsg("run_1", "fill the disk please") });
    const ws = join(disk, "ws");
    mkdirSync(ws);
    // the worst case: no sandbox-side reserve (diskReserveMb 0), so only the store's reserve is left
    const unguarded = bwrapExecutor("standard", { limits: { diskReserveMb: 0, fileSizeMb: 64 } as never }, ws);
    const r = await unguarded.exec({ command: "head -c 16M /dev/zero > fill.bin; echo rc=$?" });
    expect(r.stdout).toMatch(/rc=[1-9]/);
    expect(r.stderr).toContain("No space left on device");
    const finished = await store.append("s", { data: { type: "run_finished", runId: "run_1", outcome: "error", reason: "tool filled the disk", durationMs: 5 } });
    expect(finished.seq).toBe(2);
    expect(existsSync(reservePath(db))).toBe(false); // spent on that write
    expect((await store.readLatest("s", 1))[0]?.data.type).toBe("run_finished");
    // with the sandbox's reserve (default 256 MiB, far above what is free), nothing more runs
    const guarded = bwrapExecutor("standard", {}, ws);
    await expect(guarded.exec({ command: "touch more" })).rejects.toBeInstanceOf(StorageFullError);
    expect(existsSync(join(ws, "more"))).toBe(false);
    await store.close();
  }, 60_000);
});
