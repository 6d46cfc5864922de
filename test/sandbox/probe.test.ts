// Fail closed: when bwrap is missing or cannot create namespaces, status() says why and how to fix
// it, and every exec and file call is refused with that text. Never a silent fall back to off.
import { beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SandboxUnavailableError } from "../../src/core/errors.ts";
import { BwrapExecutor } from "../../src/sandbox/bwrap.ts";
import { resolveSandbox } from "../../src/sandbox/config.ts";
import { clearProbeCache, explainFailure, findBwrap } from "../../src/sandbox/probe.ts";
import { LEVELS, useFakeHost, quietLog } from "./bwrap-helpers.ts";

const h = useFakeHost();
const bin = mkdtempSync(join(tmpdir(), "fake-bwrap-"));
const emptyBin = mkdtempSync(join(tmpdir(), "no-bwrap-"));

function executor(level: "standard" | "strict", bwrapPath: string | undefined, PATH: string): BwrapExecutor {
  const cfg = resolveSandbox({ level, ...(bwrapPath ? { bwrapPath } : {}) }, { workspace: join(h.state, "ws-probe"), home: h.home, stateDir: h.state });
  return new BwrapExecutor(cfg, { log: quietLog, hostEnv: { PATH } });
}

async function expectRefused(ex: BwrapExecutor, pattern: RegExp): Promise<void> {
  const status = await ex.status();
  expect(status.ok).toBe(false);
  expect(status.reason).toMatch(pattern);
  const execErr = await ex.exec({ command: "echo should-not-run" }).catch((e: unknown) => e);
  expect(execErr).toBeInstanceOf(SandboxUnavailableError);
  expect((execErr as Error).message).toBe(status.reason!);
  for (const call of [() => ex.fs.readFile("a.txt"), () => ex.fs.writeFile("a.txt", "x"), () => ex.fs.list("."), () => ex.fs.stat("a.txt"), () => ex.fs.resolve(".")]) {
    const err = await call().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxUnavailableError);
    expect((err as Error).message).toBe(status.reason!);
  }
  const walked = await (async () => {
    for await (const _ of ex.fs.walk(".")) return "walked";
    return "empty";
  })().catch((e: unknown) => e);
  expect(walked).toBeInstanceOf(SandboxUnavailableError);
}

beforeEach(() => clearProbeCache());

for (const level of LEVELS) {
  describe(`fail closed at ${level}`, () => {
    test("bwrapPath pointing to a missing binary", async () => {
      const ex = executor(level, "/nonexistent/bin/bwrap", "/usr/bin:/bin");
      await expectRefused(ex, /bubblewrap not found at \/nonexistent\/bin\/bwrap.*apt-get install bubblewrap.*bwrapPath.*"off"/s);
    });

    test("no bwrap on PATH", async () => {
      const ex = executor(level, undefined, emptyBin);
      await expectRefused(ex, /not installed or not on PATH.*apt-get install bubblewrap.*level to "off"/s);
    });

    test("user namespaces blocked (Ubuntu 24.04 AppArmor): the reason names the sysctl", async () => {
      const fake = join(bin, "bwrap");
      writeFileSync(fake, "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n");
      chmodSync(fake, 0o755);
      const ex = executor(level, fake, "/usr/bin:/bin");
      await expectRefused(ex, /setting up uid map: Permission denied.*kernel\.apparmor_restrict_unprivileged_userns=0/s);
    });
  });
}

describe("probe helpers", () => {
  test("findBwrap: configured path must be absolute; PATH search finds the real one", () => {
    expect(findBwrap("bwrap")).toEqual({ error: expect.stringContaining("absolute path") });
    expect(findBwrap(undefined, `/nonexistent:/usr/bin`)).toEqual({ path: "/usr/bin/bwrap" });
  });

  test("explainFailure maps container errors to a container fix", () => {
    const why = explainFailure("standard", { exitCode: 1, signal: null, stderr: "bwrap: Failed to make / slave: Permission denied" });
    expect(why).toContain("Failed to make / slave");
    expect(why).toMatch(/container|userns/i);
  });

  test("a working bwrap probes ok and reports its layers", async () => {
    const ex = executor("strict", undefined, "/usr/bin:/bin");
    const status = await ex.status();
    expect(status.ok).toBe(true);
    expect(status.details).toMatchObject({ bwrap: "/usr/bin/bwrap", seccomp: "on", network: false });
    expect(String(status.details?.pidsLimit)).toMatch(/cgroup-v1|cgroup-v2|rlimit|none/);
  });
});
