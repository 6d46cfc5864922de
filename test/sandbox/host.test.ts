import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidParamsError, StorageFullError } from "../../src/core/errors.ts";
import { resolveSandbox } from "../../src/sandbox/config.ts";
import { PathEscapeError } from "../../src/sandbox/executor.ts";
import { HostExecutor } from "../../src/sandbox/host.ts";
import { recordingLogger, type Recorded } from "../tools/helpers.ts";

function setup(over: Parameters<typeof resolveSandbox>[0] = {}, hostEnv: Record<string, string> = { PATH: "/usr/bin:/bin" }, records: Recorded[] = []) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "host-")));
  const workspace = join(dir, "ws");
  const cfg = resolveSandbox({ level: "off", ...over }, { workspace, home: join(dir, "home"), stateDir: join(dir, "state") });
  return { dir, workspace, ex: new HostExecutor(cfg, { hostEnv, log: recordingLogger(records) }) };
}

describe("HostExecutor (level off)", () => {
  test("logs one loud warning when created and reports level off", async () => {
    const seen: Recorded[] = [];
    const { ex } = setup({}, undefined, seen);
    expect((await ex.status()).level).toBe("off");
    expect(ex.level).toBe("off");
    const warnings = seen.filter((r) => r.level === "warn" && r.msg.includes("sandbox level off: tools run on the host without isolation"));
    expect(warnings.length).toBe(1);
  });

  test("runs in the workspace with exactly the minimal env; secrets in process.env never appear", async () => {
    process.env.HOST_TEST_SECRET_TOKEN = "tok-abcdef-not-for-tools";
    process.env.VISIBLE_SETTING = "ok-value";
    try {
      const records: Recorded[] = [];
      const { ex, workspace } = setup({ envAllow: ["VISIBLE_SETTING", "HOST_TEST_SECRET_TOKEN"] }, process.env as Record<string, string>, records);
      const r = await ex.exec({ command: "pwd; env", env: { EXTRA: "1" } });
      expect(r.exitCode).toBe(0);
      const lines = r.stdout.trim().split("\n");
      expect(lines[0]).toBe(workspace);
      const names = lines.slice(1).map((l) => l.split("=")[0]).filter((n) => n !== "PWD" && n !== "SHLVL" && n !== "_" && n !== "OLDPWD");
      expect(names.sort()).toEqual(["EXTRA", "HOME", "LANG", "PATH", "TERM", "VISIBLE_SETTING"]);
      expect(r.stdout).toContain(`HOME=${workspace}`);
      expect(r.stdout).not.toContain("tok-abcdef-not-for-tools");
      expect(records.some((x) => x.msg.includes("HOST_TEST_SECRET_TOKEN looks like a secret"))).toBe(true);
    } finally {
      delete process.env.HOST_TEST_SECRET_TOKEN;
      delete process.env.VISIBLE_SETTING;
    }
  });

  test("rlimits are applied", async () => {
    const { ex } = setup({ limits: { cpuSeconds: 7, fileSizeMb: 1, openFiles: 64, memoryMb: 512, processes: 64, timeoutMs: 10_000, outputBytes: 65536 } });
    const r = await ex.exec({ command: "ulimit -t; ulimit -f; ulimit -n; ulimit -v" });
    expect(r.stdout.trim().split("\n")).toEqual(["7", "2048", "64", String(512 * 1024)]);
    const big = await ex.exec({ command: "head -c 3000000 /dev/zero > big.bin; echo rc=$?; wc -c < big.bin" });
    expect(big.stdout).toContain("1048576");
  });

  test("cwd must be inside the workspace and a directory", async () => {
    const { ex, dir, workspace } = setup();
    await expect(ex.exec({ command: "true", cwd: "/etc" })).rejects.toBeInstanceOf(PathEscapeError);
    await expect(ex.exec({ command: "true", cwd: "../" })).rejects.toThrow(/path escapes the workspace/);
    mkdirSync(join(dir, "elsewhere"));
    symlinkSync(join(dir, "elsewhere"), join(workspace, "out"));
    await expect(ex.exec({ command: "true", cwd: "out" })).rejects.toBeInstanceOf(PathEscapeError);
    await expect(ex.exec({ command: "true", cwd: "missing" })).rejects.toBeInstanceOf(InvalidParamsError);
    mkdirSync(join(workspace, "sub"));
    expect((await ex.exec({ command: "pwd", cwd: "sub" })).stdout.trim()).toBe(join(workspace, "sub"));
  });

  test("timeouts and output caps are bounded by the config limits", async () => {
    const { ex } = setup({ limits: { timeoutMs: 300, outputBytes: 1000, cpuSeconds: 30, memoryMb: 1024, fileSizeMb: 64, openFiles: 256, processes: 64 } });
    const slow = await ex.exec({ command: "sleep 30", timeoutMs: 60_000 });
    expect(slow.timedOut).toBe(true);
    const loud = await ex.exec({ command: "yes", outputBytes: 10_000_000 });
    expect(loud.truncated).toBe(true);
    expect(loud.stdout.length).toBeLessThan(1100);
  });

  test("file tools share the workspace boundary", async () => {
    const { ex } = setup();
    await ex.fs.writeFile("x.txt", "1");
    await expect(ex.fs.readFile("../../etc/passwd")).rejects.toBeInstanceOf(PathEscapeError);
  });

  test("the disk reserve holds at off too: under it, nothing runs", async () => {
    const { ex, workspace } = setup({ limits: { diskReserveMb: 1 << 30 } as never });
    await expect(ex.exec({ command: "touch ran" })).rejects.toBeInstanceOf(StorageFullError);
    expect(await ex.fs.stat(join(workspace, "ran"))).toBeNull();
  });
});
