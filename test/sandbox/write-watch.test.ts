// The write watcher on its own: the disk-reserve kill (fake free space) and the process-tree walk.
import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { treePids, watchWrites } from "../../src/sandbox/write-watch.ts";

/** Resolves with the first kill reason; rejects loudly if none comes within `ms`. */
function killed(opts: Omit<Parameters<typeof watchWrites>[0], "kill">, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const w = watchWrites({ ...opts, kill: (reason) => (w.stop(), resolve(reason)) });
    setTimeout(() => (w.stop(), reject(new Error(`the watcher did not kill within ${ms} ms`))), ms).unref?.();
  });
}

describe("watchWrites", () => {
  test("free space under the reserve on a writable path kills with a reason naming the path and the key", async () => {
    const reason = await killed({ pids: () => [], maxWriteBytes: 1 << 30, paths: ["/srv/ws"], reserveBytes: 256 << 20, freeBytes: () => 10 << 20, intervalMs: 5 });
    expect(reason).toBe("killed: the disk holding /srv/ws is almost full (10 MB free; diskReserveMb=256 is kept for the session database); free disk space and retry");
  });

  test("bytes written by the watched processes past the cap kill with the amount", async () => {
    const child = spawn("sh", ["-c", "head -c 3145728 /dev/zero > \"$0\"; rm -f \"$0\"; sleep 30", `${process.env.TMPDIR}/ww-${process.pid}.bin`], { stdio: "ignore", detached: true });
    try {
      const reason = await killed({ pids: () => treePids(child.pid!), maxWriteBytes: 1 << 20, paths: [], reserveBytes: 0, intervalMs: 5 });
      expect(reason).toMatch(/^killed: write limit writeMb=1 \(the command wrote \d+ MB/); // past 1 MiB, whenever the tick saw it
    } finally {
      process.kill(-child.pid!, "SIGKILL"); // the whole group: sleep included
    }
  });

  test("treePids finds a process's children and grandchildren", async () => {
    const child = spawn("sh", ["-c", "sh -c 'sleep 30' & sleep 30"], { stdio: "ignore", detached: true });
    try {
      let found: number[] = [];
      for (let i = 0; i < 100 && found.length < 4; i++) {
        await new Promise((r) => setTimeout(r, 20));
        found = treePids(child.pid!);
      }
      expect(found.length).toBe(4); // sh, sh, sleep, sleep
      expect(found[0]).toBe(child.pid!);
    } finally {
      process.kill(-child.pid!, "SIGKILL");
    }
  });
});
