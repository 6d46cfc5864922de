// e2e: the compiled binary's `sessions`, `pairing` and `logs` in a temp state dir, through a running
// `dist/openclaw gateway run` and then, after it stopped, on the store; never "database is locked".
import { beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { KEY, OTHER, makeHome, seed, startGateway, stopGateway, type Home } from "../cli/sessions-helpers.ts";
import { freshBinary } from "./fresh-binary.ts";

setDefaultTimeout(60_000); // each test runs CLI subprocesses (and a gateway) on a shared, noisy machine

let bin = "";
let home: Home;
beforeAll(async () => {
  bin = freshBinary();
  home = makeHome();
  await seed(home.stateDir);
}, 300_000);

const lockFree = (s: string) => expect(s).not.toMatch(/database is locked|SQLITE_BUSY/i);

test("through the running gateway, then on the store once it stopped", async () => {
  const gw = await startGateway(home, [bin]);
  try {
    const list = home.json(["sessions", "list"], { bin });
    lockFree(list.stderr);
    expect(list.code).toBe(0);
    expect(list.body.source).toBe("gateway");
    expect(list.body.sessions.map((s: { key: string }) => s.key)).toEqual([OTHER, KEY]);
    const pairing = home.json(["pairing", "list"], { bin });
    expect(pairing.body).toMatchObject({ source: "gateway", requests: [] });
    const md = home.cli(["sessions", "export", KEY, "--format", "md"], { bin });
    expect(md.code).toBe(0);
    expect(md.stdout).toContain("**Tool call** `ls` (tu_1)");
    expect(home.json(["sessions", "delete", OTHER], { bin }).body).toMatchObject({ source: "gateway", deleted: true });

    // the live tail over /ws from the compiled binary (its WebSocket sends the token as a header)
    const follow = Bun.spawn([bin, "--json", "logs", "--follow", "--lines", "1"], { env: { ...process.env, ...home.env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const reader = follow.stdout.getReader();
    const timer = setTimeout(() => follow.kill("SIGKILL"), 20_000); // a hang fails below, loudly
    const first = await reader.read();
    clearTimeout(timer);
    follow.kill("SIGINT");
    expect(await follow.exited).toBe(0);
    expect(first.done).toBe(false);
    expect(JSON.parse(new TextDecoder().decode(first.value).split("\n")[0]!).level).toBeString();
  } finally {
    await stopGateway(gw);
  }

  const logs = home.cli(["logs", "--level", "info"], { bin });
  expect(logs.stdout).toContain("gateway listening on");
  expect(logs.stdout).toContain("stopping (SIGTERM)"); // written while it stopped: the file outlives the process
  const after = home.json(["sessions", "list"], { bin });
  expect(after.body.source).toBe("store");
  expect(after.body.sessions.map((s: { key: string }) => s.key)).toEqual([KEY]);
  const jsonl = home.cli(["sessions", "export", KEY], { bin });
  expect(jsonl.stdout.trim().split("\n")).toHaveLength(7);
  const del = home.json(["sessions", "delete", KEY], { bin });
  expect(del.body).toMatchObject({ source: "store", deleted: true });
  expect(home.json(["sessions", "list"], { bin }).body.sessions).toEqual([]);
}, 120_000);
