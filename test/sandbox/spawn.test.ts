import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SandboxUnavailableError } from "../../src/core/errors.ts";
import { runProcess } from "../../src/sandbox/spawn.ts";

const cwd = mkdtempSync(join(tmpdir(), "spawn-"));
const env = { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8" };
const base = { cwd, env, timeoutMs: 10_000, outputBytes: 65_536 };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a zombie still answers kill(0); treat it as gone
  try {
    const stat = require("node:fs").readFileSync(`/proc/${pid}/stat`, "utf8") as string;
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

async function waitGone(pids: number[], ms = 5000): Promise<number[]> {
  const end = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < end) {
    await Bun.sleep(50);
    left = left.filter(alive);
  }
  return left;
}

function pidsFrom(text: string): number[] {
  return text.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
}

describe("runProcess", () => {
  test("returns stdout, stderr and exit code", async () => {
    const r = await runProcess({ ...base, argv: ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"] });
    expect(r).toMatchObject({ exitCode: 3, signal: null, stdout: "out\n", stderr: "err\n", truncated: false, timedOut: false, aborted: false });
  });

  test("passes stdin", async () => {
    const r = await runProcess({ ...base, argv: ["cat"], stdin: "hello\nworld" });
    expect(r.stdout).toBe("hello\nworld");
  });

  test("the environment is exactly what was passed", async () => {
    process.env.SPAWN_TEST_SECRET = "sk-should-not-leak";
    try {
      const r = await runProcess({ ...base, argv: ["/usr/bin/env"], env: { PATH: "/usr/bin:/bin", ONLY: "this" } });
      expect(r.stdout).not.toContain("sk-should-not-leak");
      const names = r.stdout.trim().split("\n").map((l) => l.split("=")[0]).sort();
      expect(names).toEqual(["ONLY", "PATH"]);
    } finally {
      delete process.env.SPAWN_TEST_SECRET;
    }
  });

  test("timeout kills the whole group, grandchildren and SIGTERM-ignoring children included", async () => {
    const script = `trap '' TERM; (trap '' TERM; sleep 300) & sleep 300 & echo $$ $!; sh -c 'trap "" TERM; echo $$; sleep 300'`;
    const r = await runProcess({ ...base, argv: ["/bin/sh", "-c", script], timeoutMs: 500, killGraceMs: 200 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe("SIGKILL");
    const pids = pidsFrom(r.stdout);
    expect(pids.length).toBe(3);
    expect(await waitGone(pids)).toEqual([]);
  });

  test("background jobs left by a command that exited are killed", async () => {
    const r = await runProcess({ ...base, argv: ["/bin/sh", "-c", "sleep 300 & echo $!"] });
    expect(r.exitCode).toBe(0);
    const pids = pidsFrom(r.stdout);
    expect(pids.length).toBe(1);
    expect(await waitGone(pids)).toEqual([]);
  });

  test("abort signal kills the group and flags aborted", async () => {
    const ac = new AbortController();
    const p = runProcess({ ...base, argv: ["/bin/sh", "-c", "echo $$; sleep 300"], signal: ac.signal });
    await Bun.sleep(200);
    ac.abort();
    const r = await p;
    expect(r.aborted).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(await waitGone(pidsFrom(r.stdout))).toEqual([]);
  });

  test("an already-aborted signal runs nothing", async () => {
    const ac = new AbortController();
    ac.abort();
    const marker = join(cwd, "should-not-exist");
    const r = await runProcess({ ...base, argv: ["/bin/sh", "-c", `touch ${marker}`], signal: ac.signal });
    expect(r.aborted).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  test("`yes` is capped with a marker, killed past the drain limit, memory flat", async () => {
    const before = process.memoryUsage().rss;
    const r = await runProcess({ ...base, argv: ["yes"], outputBytes: 100_000, drainLimitBytes: 256 * 1024 * 1024, timeoutMs: 30_000 });
    const after = process.memoryUsage().rss;
    expect(r.truncated).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(r.signal).toBe("SIGKILL");
    expect(r.stdout.startsWith("y\ny\n")).toBe(true);
    expect(r.stdout).toMatch(/\n\[output truncated: \d+ more bytes dropped\]$/);
    expect(r.stdout.length).toBeLessThan(100_100);
    // 256 MiB were read; memory stays at the GC's working set (~40 MiB measured), far below that
    expect(after - before).toBeLessThan(96 * 1024 * 1024);
  });

  test("stdout and stderr share one budget", async () => {
    const r = await runProcess({ ...base, argv: ["/bin/sh", "-c", "head -c 3000 /dev/zero | tr '\\0' x; head -c 3000 /dev/zero | tr '\\0' z >&2"], outputBytes: 4000 });
    expect(r.truncated).toBe(true);
    const a = (r.stdout.match(/x/g) ?? []).length;
    const b = (r.stderr.match(/z/g) ?? []).length;
    expect(a + b).toBe(4000);
  });

  test("invalid UTF-8 becomes valid text; control characters and escapes are removed", async () => {
    const r = await runProcess({ ...base, argv: ["printf", "ok\\377\\376x\\000y\\033[31mred\\033[0m\\r\\n\\ttab\\007"] });
    expect(r.stdout).toBe("ok\uFFFD\uFFFDxyred\n\ttab");
  });

  test("a multi-byte character is never split at the cap", async () => {
    // "é" is 2 bytes; a cap of 5 falls inside the third one
    const r = await runProcess({ ...base, argv: ["printf", "ééééé"], outputBytes: 5 });
    expect(r.stdout.startsWith("éé\n[output truncated:")).toBe(true);
    expect(r.stdout).not.toContain("\uFFFD");
  });

  test("extra fds: bytes arrive on fd 3", async () => {
    const r = await runProcess({ ...base, argv: ["/bin/sh", "-c", "cat <&3"], extraFds: [new TextEncoder().encode("from fd3")] });
    expect(r.stdout).toBe("from fd3");
  });

  test("a missing executable rejects with a clear error", async () => {
    const p = runProcess({ ...base, argv: ["definitely-not-a-binary-xyz"] });
    await expect(p).rejects.toBeInstanceOf(SandboxUnavailableError);
    await expect(p).rejects.toThrow(/definitely-not-a-binary-xyz: not found/);
  });

  test("a missing cwd rejects with a clear error", async () => {
    await expect(runProcess({ ...base, cwd: join(cwd, "nope"), argv: ["true"] })).rejects.toThrow(/working directory .* does not exist/);
  });
});
