// `openclaw migrate` as a real subprocess on a copy of the fixture home (produced by real OpenClaw).
import { expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtureHome, listTree } from "../ops/migrate-helpers.ts";
import { runCli, tempState } from "./run.ts";

setDefaultTimeout(60_000);

test("--dry-run --json counts and writes nothing; then a real run, then a second run that imports nothing", () => {
  const home = fixtureHome();
  const { dir, env } = tempState();
  const dry = runCli(["migrate", "--from", home, "--dry-run", "--json"], env);
  expect(dry.code).toBe(0);
  const report = JSON.parse(dry.stdout) as { ok: boolean; dryRun: boolean; sessions: { imported: number }; config: { action: string } };
  expect(report).toMatchObject({ ok: true, dryRun: true, sessions: { imported: 3 }, config: { action: "written" } });
  expect(listTree(join(dir, "state"))).toEqual([]);

  const first = runCli(["migrate", "--from", home], env);
  expect(first.code).toBe(0);
  expect(first.stdout).toContain("sessions:  3 found, imported 3");
  expect(first.stdout).toContain("restart the gateway");
  expect(first.stdout).not.toContain("sk-ant-fixture-not-a-real-key");
  const second = runCli(["migrate", "--from", home], env);
  expect(second.code).toBe(0);
  expect(second.stdout).toContain("imported 0");
  expect(second.stdout).toContain("3 already imported");
});

test("refuses while a gateway runs on the state dir, and names a missing home", () => {
  const home = fixtureHome();
  const { dir, env } = tempState();
  mkdirSync(join(dir, "state", "state"), { recursive: true });
  writeFileSync(join(dir, "state", "state", "gateway.lock"), `${process.pid}\n`); // a live pid holds the lock
  const r = runCli(["migrate", "--from", home], env);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("a gateway is running on");
  expect(r.stderr).toContain("stop it");
  const missing = runCli(["migrate", "--from", join(dir, "nope"), "--json"], tempState().env);
  expect(missing.code).toBe(1);
  expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, error: { type: "NotFoundError" } });
});
