import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquireGatewayLock, GatewayLockedError } from "../../src/gateway/lock.ts";

describe("gateway lock", () => {
  test("a second holder is refused with a message naming the pid and state dir; release frees it", () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-lock-"));
    const path = join(dir, "state", "gateway.lock");
    const a = acquireGatewayLock(path, dir);
    expect(readFileSync(path, "utf8").trim()).toBe(String(process.pid));
    // Same pid counts as ours (stale from this process), so simulate another live process: pid 1.
    writeFileSync(path, "1\n");
    let err: unknown;
    try {
      acquireGatewayLock(path, dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayLockedError);
    expect((err as Error).message).toContain("pid 1");
    expect((err as Error).message).toContain(dir);
    writeFileSync(path, `${process.pid}\n`);
    a.release();
    expect(existsSync(path)).toBe(false);
    acquireGatewayLock(path, dir).release();
  });
  test("a stale lock (dead pid) is taken over", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-lock-"));
    const path = join(dir, "state", "gateway.lock");
    const child = Bun.spawn(["true"]);
    await child.exited;
    acquireGatewayLock(path, dir).release();
    writeFileSync(path, `${child.pid}\n`);
    const lock = acquireGatewayLock(path, dir);
    expect(readFileSync(path, "utf8").trim()).toBe(String(process.pid));
    lock.release();
  });
});
