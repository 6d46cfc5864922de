// Adversarial suite, part 3: resource attacks, at standard and strict. Each asserts the outcome:
// the limit held, the host stayed responsive, nothing was left running.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { LEVELS, bwrapExecutor, useFakeHost, pidsWithMarker, waitNoMarker } from "./bwrap-helpers.ts";

useFakeHost();

const limits = { processes: 32, memoryMb: 256, fileSizeMb: 4, cpuSeconds: 1, openFiles: 32, timeoutMs: 20_000, outputBytes: 65_536 };

let http: Server;
let port = 0;
beforeAll(async () => {
  http = createServer((_q, res) => res.end("still-here"));
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  port = (http.address() as AddressInfo).port;
});
afterAll(() => http.close());

const marker = (name: string) => `ocmark_${name}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

for (const level of LEVELS) {
  describe(`resource attacks at ${level}`, () => {
    const ex = bwrapExecutor(level, { limits: limits as never });

    test("a fork bomb is held under the process limit, the host keeps answering, nothing survives", async () => {
      const status = await ex.status();
      expect(status.ok).toBe(true);
      const m = marker("forkbomb");
      const run = ex.exec({ command: `bash -c ':(){ :|:& };: ; sleep 30 # ${m}'`, timeoutMs: 3000 });
      let maxSeen = 0;
      let answered = 0;
      for (let i = 0; i < 20; i++) {
        maxSeen = Math.max(maxSeen, pidsWithMarker(m).length);
        const res = await fetch(`http://127.0.0.1:${port}/`);
        if ((await res.text()) === "still-here") answered++;
        await new Promise((r) => setTimeout(r, 50));
      }
      const r = await run;
      expect(answered).toBe(20);
      if (String(status.details?.pidsLimit).startsWith("cgroup")) {
        expect(maxSeen).toBeLessThanOrEqual(limits.processes);
        expect(r.stderr).toContain(`process creations refused; the limit is ${limits.processes} processes`);
      }
      expect(await waitNoMarker(m)).toEqual([]);
      console.log(`[${level}] fork bomb: at most ${maxSeen} host processes seen, exit=${r.exitCode} timedOut=${r.timedOut}`);
    });

    test("a memory bomb is stopped by the address-space limit", async () => {
      // dd allocates its whole block at once: 1 GiB against a 256 MiB address-space limit
      const r = await ex.exec({ command: `dd if=/dev/zero of=/dev/null bs=1G count=1; echo "exit=$?"` });
      expect(r.timedOut).toBe(false);
      expect(r.stdout).toMatch(/exit=[1-9]/);
      expect(r.stderr).toContain("memory exhausted");
      const ok = await ex.exec({ command: `dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo "exit=$?"` });
      expect(ok.stdout).toBe("exit=0\n"); // under the limit it works: the limit, not something else, stopped it
    });

    test("filling the disk stops at the file-size limit; tmpfs $HOME stops at its size cap", async () => {
      const r = await ex.exec({
        command:
          "head -c 50M /dev/zero > big.bin; echo big=$?; " +
          'for i in 1 2 3; do head -c 3M /dev/zero > "$HOME/fill$i"; done; du -skx "$HOME" | cut -f1',
      });
      expect(r.stdout).toMatch(/big=(153|1)\n/); // SIGXFSZ (128+25) or a write error
      const big = statSync(join(ex.fs.root, "big.bin")).size;
      expect(big).toBeLessThanOrEqual(limits.fileSizeMb * 1024 * 1024);
      const homeKb = Number(r.stdout.trim().split("\n").pop());
      expect(homeKb).toBeLessThanOrEqual(limits.fileSizeMb * 1024 + 64);
      expect(r.stderr).toMatch(/No space left on device|File size limit exceeded/);
    });

    test("a CPU spin is killed by the CPU-seconds limit, before the wall clock", async () => {
      const r = await ex.exec({ command: "while :; do :; done" });
      expect(r.timedOut).toBe(false);
      expect(r.exitCode === null || r.exitCode !== 0).toBe(true);
    });

    test("open files stop at the limit", async () => {
      const r = await ex.exec({ command: `bash -c 'for i in $(seq 100); do exec {fd}</dev/null || { echo "stopped at $i"; exit 0; }; done; echo unlimited'` });
      expect(r.stdout).toMatch(/stopped at \d+/);
      expect(r.stderr).toContain("Too many open files");
    });

    test("sleep infinity with SIGTERM ignored and nohup/setsid children: all gone after the timeout", async () => {
      const m = marker("sleeper");
      const r = await ex.exec({
        command: `trap '' TERM; nohup sh -c 'trap "" TERM; sleep 1000' ${m}-a >/dev/null 2>&1 & setsid sh -c 'sleep 1000' ${m}-b & sh -c 'trap "" TERM HUP; sleep infinity' ${m}-c`,
        timeoutMs: 1500,
      });
      expect(r.timedOut).toBe(true);
      expect(await waitNoMarker(m)).toEqual([]);
    });

    test("a `yes` flood and a binary flood are capped, valid UTF-8, and memory stays flat", async () => {
      const rssBefore = process.memoryUsage().rss;
      const y = await ex.exec({ command: "yes" });
      expect(y.truncated).toBe(true);
      expect(y.stdout).toContain("[output truncated");
      expect(Buffer.byteLength(y.stdout)).toBeLessThan(limits.outputBytes + 200);
      const b = await ex.exec({ command: "head -c 20000000 /dev/urandom" });
      expect(b.truncated).toBe(true);
      expect(b.stdout).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/); // no lone surrogate
      expect(Buffer.from(b.stdout, "utf8").toString("utf8")).toBe(b.stdout);
      expect(b.stdout).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x1b]/);
      const rssAfter = process.memoryUsage().rss;
      console.log(`[${level}] floods: rss ${(rssBefore / 1e6).toFixed(1)} MB -> ${(rssAfter / 1e6).toFixed(1)} MB`);
      expect(existsSync("/proc/self")).toBe(true);
    });
  });
}
