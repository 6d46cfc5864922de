// cgroup folder housekeeping against a fake cgroup v2 mount in a temp dir (real files, no root).
import { expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cgroupBases } from "../../src/sandbox/cgroup.ts";

test("the stale sweep removes exec folders of dead gateways and of names that are no pid (0-…, -1-…), keeps live ones", () => {
  const root = mkdtempSync(join(tmpdir(), "cgroup-"));
  writeFileSync(join(root, "cgroup.controllers"), "pids memory\n");
  writeFileSync(join(root, "cgroup.subtree_control"), "pids memory\n");
  const base = join(root, "openclaw-sandbox");
  mkdirSync(base);
  writeFileSync(join(base, "cgroup.subtree_control"), "pids memory\n");
  const names = { dead: "2147483646-x-1", zero: "0-x-1", negative: "-1-x-1", live: `${process.pid}-x-1`, liveOther: "1-x-1" };
  for (const n of Object.values(names)) mkdirSync(join(base, n));
  const found = cgroupBases({ root });
  expect(found).toEqual({ mode: "cgroup-v2", pids: base, memory: base });
  expect(existsSync(join(base, names.dead))).toBe(false);
  expect(existsSync(join(base, names.zero))).toBe(false);
  expect(existsSync(join(base, names.negative))).toBe(false);
  expect(existsSync(join(base, names.live))).toBe(true);
  expect(existsSync(join(base, names.liveOther))).toBe(true); // pid 1 is alive
});
