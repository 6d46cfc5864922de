// e2e: the compiled binary imports the OpenClaw home real OpenClaw wrote (bun:sqlite, zstd rows and
// JSON5 inside the single executable), then lists the imported sessions under their own keys.
import { beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { fixtureHome, pendingPairingCreatedAt } from "../ops/migrate-helpers.ts";
import { runCli, tempState } from "../cli/run.ts";
import { freshBinary } from "./fresh-binary.ts";

setDefaultTimeout(60_000);

let bin = "";
beforeAll(() => {
  bin = freshBinary();
}, 300_000);

test("dist/openclaw migrate --json, then sessions list shows OpenClaw's keys; a second run imports nothing", () => {
  const home = fixtureHome();
  const { env } = tempState();
  const r = runCli(["migrate", "--from", home, "--json"], env, { bin });
  expect(r.code).toBe(0);
  // the binary runs on the real clock: the fixture's pending request counts only within the hour after it was made
  const pairs = Date.now() < pendingPairingCreatedAt(home) + 3_600_000 ? 2 : 1;
  expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, sessions: { found: 3, imported: 3 }, pairing: { found: pairs, imported: pairs }, problems: [] });
  const list = runCli(["sessions", "list", "--json"], env, { bin });
  expect(list.code).toBe(0);
  const keys = (JSON.parse(list.stdout) as { sessions: { key: string }[] }).sessions.map((s) => s.key).sort();
  expect(keys).toEqual(["agent:main:main", "agent:main:second", "agent:ops:main"]);
  const again = runCli(["migrate", "--from", home, "--json"], env, { bin });
  expect(JSON.parse(again.stdout)).toMatchObject({ sessions: { imported: 0, already: 3 } });
});
