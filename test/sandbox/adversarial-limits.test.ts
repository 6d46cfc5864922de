// Adversarial suite, part 5: limits on the command as a whole, with real bwrap at both levels:
// memory for the whole process tree (a memory cgroup), bytes written to host disk (the write
// watcher) and the disk reserve that keeps the session database writable.
import { describe, expect, test } from "bun:test";
import { StorageFullError } from "../../src/core/errors.ts";
import { LEVELS, bwrapExecutor, useFakeHost } from "./bwrap-helpers.ts";

useFakeHost();
const root = process.getuid?.() === 0;

for (const level of LEVELS) {
  describe(`whole-command limits at ${level}`, () => {
    test("four processes of 100 MB each, under memoryMb=256 alone but not together: the tree is OOM-killed and the result says why", async () => {
      const ex = bwrapExecutor(level, { limits: { memoryMb: 256, processes: 32 } as never });
      const status = await ex.status();
      expect(status.ok).toBe(true);
      if (!root) {
        // no cgroup for a non-root gateway: the status says memoryMb is per process only
        expect(status.details?.memoryLimit).toBe("rlimit-per-process");
        return;
      }
      expect(String(status.details?.memoryLimit)).toMatch(/^cgroup-v[12]$/);
      // Each holds its 100 MB until the first of them ends (the OOM victim), then all exit.
      await ex.fs.writeFile("hog.py", "import os, time\nb = b'x' * (100 << 20)\nfor _ in range(400):\n    if os.path.exists('release'): break\n    time.sleep(0.05)\n");
      // bash for `wait -n` (dash has none): returns when the first hog ends
      const r = await ex.exec({ command: "rm -f release; bash -c 'for i in 1 2 3 4; do python3 hog.py & done; wait -n; touch release; wait'; echo finished" });
      expect(r.killed).toContain("killed: memory limit memoryMb=256");
      expect(r.stderr).toContain("[sandbox: killed: memory limit memoryMb=256");
      // and a command inside the limit is untouched
      const ok = await ex.exec({ command: `python3 -c "b = b'x' * (100 << 20); print('ok')"` });
      expect(ok.stdout).toBe("ok\n");
      expect(ok.killed).toBeUndefined();
    }, 60_000); // the hogs hold 20 s at most when no limit stops them

    test("a command writing past writeMb (in files each under fileSizeMb) is stopped, and the result says why", async () => {
      const ex = bwrapExecutor(level, { limits: { writeMb: 8, fileSizeMb: 4 } as never });
      // 3000 x 1 MiB if nothing stops it; each file is removed at once, so the disk never fills
      const r = await ex.exec({ command: "for i in $(seq 1 3000); do head -c 1048576 /dev/zero > w.bin; rm -f w.bin; done; echo finished" });
      expect(r.stdout).not.toContain("finished");
      expect(r.killed).toMatch(/^killed: write limit writeMb=8 \(the command wrote \d+ MB/);
      expect(r.stderr).toContain("[sandbox: killed: write limit writeMb=8");
      const small = await ex.exec({ command: "head -c 2097152 /dev/zero > w.bin && rm w.bin && echo fine" });
      expect(small.stdout).toBe("fine\n");
    }, 60_000);

    test("under the disk reserve, exec is refused before anything runs, with the key and the fix", async () => {
      const ex = bwrapExecutor(level, { limits: { diskReserveMb: 1 << 30 } as never });
      const err = await ex.exec({ command: "touch should-not-exist" }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StorageFullError);
      expect(String((err as Error).message)).toMatch(/limits\.diskReserveMb.*free disk space/);
      expect(await ex.fs.stat("should-not-exist")).toBeNull();
    });
  });
}
