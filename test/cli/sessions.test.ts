// `openclaw sessions …` as a real subprocess: on the store when no gateway runs, through a real
// gateway process when one does, and refusing writes behind a gateway that holds the lock but does
// not answer. Never "database is locked" on any path.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TOKEN } from "../gateway/helpers.ts";
import type { GatewayChild } from "../gateway/process.ts";
import { KEY, OTHER, makeHome, seed, startGateway, stopGateway, type Home } from "./sessions-helpers.ts";

setDefaultTimeout(60_000); // each test runs CLI subprocesses (and a gateway) on a shared, noisy machine

const noLockErrors = (r: { stderr: string; body?: unknown }) => expect(r.stderr + JSON.stringify(r.body ?? "")).not.toMatch(/database is locked|SQLITE_BUSY/i);

describe("without a gateway: on the store", () => {
  let home: Home;
  beforeAll(async () => {
    home = makeHome();
    await seed(home.stateDir);
  });

  test("list, newest first, with source store", () => {
    const r = home.json(["sessions", "list"]);
    expect(r.code).toBe(0);
    expect(r.body.source).toBe("store");
    expect(r.body.sessions.map((s: { key: string }) => s.key)).toEqual([OTHER, KEY]);
    const text = home.cli(["sessions", "list"]);
    expect(text.stdout).toContain(`${KEY}  agent main  telegram:501  6 events`);
  });

  test("show prints the session and its entries", () => {
    const r = home.json(["sessions", "show", KEY]);
    expect(r.code).toBe(0);
    expect(r.body.session.key).toBe(KEY);
    expect(r.body.entries.map((e: { kind: string }) => e.kind)).toEqual(["run_started", "message", "message", "tool_result", "message", "run_finished"]);
    const text = home.cli(["sessions", "show", KEY, "--limit", "2"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("assistant: You have notes.md.");
    expect(text.stdout).not.toContain("list my files");
  });

  test("export jsonl is the stored log; md is a readable transcript", () => {
    const jsonl = home.cli(["sessions", "export", KEY]);
    expect(jsonl.code).toBe(0);
    const rows = jsonl.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(rows[0].type).toBe("session");
    expect(rows.slice(1).map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);

    const md = home.cli(["sessions", "export", KEY, "--format", "md"]);
    expect(md.code).toBe(0);
    expect(md.stdout).toStartWith(`# Session ${KEY}\n`);
    const order = ["## User", "list my files please", "## Assistant", "Looking.", "**Tool call** `ls` (tu_1)", '"path": "."', "**Tool result** (tu_1)", "You have notes.md."];
    let at = -1;
    for (const piece of order) {
      const i = md.stdout.indexOf(piece, at + 1);
      expect(i).toBeGreaterThan(at);
      at = i;
    }
    expect(md.stdout).toContain("````\nnotes.md\n```fence```\n````"); // the fence outgrows the content's backticks

    const out = join(home.stateDir, "t.md");
    expect(home.cli(["sessions", "export", KEY, "--format", "md", "--out", out]).code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(md.stdout);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const existing = join(home.stateDir, "old.md");
    writeFileSync(existing, "older export\n", { mode: 0o644 });
    chmodSync(existing, 0o644);
    expect(home.cli(["sessions", "export", KEY, "--format", "md", "--out", existing]).code).toBe(0);
    expect(readFileSync(existing, "utf8")).toBe(md.stdout);
    expect(statSync(existing).mode & 0o777).toBe(0o600); // an existing file does not keep its looser mode
  });

  test("bad input: a clear error and the right exit code", () => {
    const fmt = home.json(["sessions", "export", KEY, "--format", "html"]);
    expect(fmt.code).toBe(2);
    expect(fmt.body.error.message).toContain("--format must be jsonl or md");
    const missing = home.json(["sessions", "show", "agent:main:nope"]);
    expect(missing.code).toBe(1);
    expect(missing.body.error).toEqual({ type: "NotFoundError", message: "no session agent:main:nope; openclaw sessions list shows the keys" });
    expect(home.json(["sessions", "list", "--limit", "0"]).code).toBe(2);
  });

  test("delete removes the session", () => {
    const r = home.json(["sessions", "delete", OTHER]);
    expect(r.code).toBe(0);
    expect(r.body).toMatchObject({ source: "store", deleted: true });
    expect(home.json(["sessions", "delete", OTHER]).body.error.type).toBe("NotFoundError");
    expect(home.json(["sessions", "list"]).body.sessions.map((s: { key: string }) => s.key)).toEqual([KEY]);
  });
});

test("a fresh home: reads answer without creating a database", () => {
  const home = makeHome();
  expect(home.json(["sessions", "list"]).body).toEqual({ ok: true, source: "store", sessions: [] });
  expect(home.json(["sessions", "show", KEY]).body.error.type).toBe("NotFoundError");
  expect(home.json(["sessions", "delete", KEY]).body.error.type).toBe("NotFoundError");
  expect(home.json(["pairing", "list"]).body).toEqual({ ok: true, source: "store", requests: [] });
  expect(existsSync(join(home.stateDir, "state", "openclaw.db"))).toBe(false);
});

describe("a gateway holds the lock but does not answer", () => {
  test("reads fall back to the store, writes are refused with the reason", async () => {
    const home = makeHome();
    await seed(home.stateDir);
    mkdirSync(join(home.stateDir, "state"), { recursive: true });
    writeFileSync(join(home.stateDir, "state", "gateway.lock"), `${process.pid}\n`); // a live pid; nothing listens on the port
    const list = home.json(["sessions", "list"]);
    expect(list.code).toBe(0);
    expect(list.body.source).toBe("store");
    const del = home.json(["sessions", "delete", KEY]);
    expect(del.code).toBe(1);
    expect(del.body.error.type).toBe("UnavailableError");
    expect(del.body.error.message).toContain(`a gateway (pid ${process.pid}) holds the lock but does not answer`);
    expect(del.body.error.message).toContain("not changing the store behind a running gateway");
    expect(home.json(["sessions", "list"]).body.sessions).toHaveLength(2);
  });
});

describe("with a gateway process running: through its RPC", () => {
  let home: Home;
  let gw: GatewayChild;
  beforeAll(async () => {
    home = makeHome();
    await seed(home.stateDir);
    gw = await startGateway(home);
  }, 30_000);
  afterAll(async () => {
    if (gw) await stopGateway(gw);
  });

  test("list, show and export answer from the gateway", () => {
    const list = home.json(["sessions", "list"]);
    noLockErrors(list);
    expect(list.code).toBe(0);
    expect(list.body.source).toBe("gateway");
    expect(list.body.sessions.map((s: { key: string; active: boolean }) => [s.key, s.active])).toEqual([[OTHER, false], [KEY, false]]);
    const show = home.json(["sessions", "show", KEY]);
    expect(show.body.source).toBe("gateway");
    expect(show.body.entries).toHaveLength(6);
    const md = home.cli(["sessions", "export", KEY, "--format", "md"]);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain("**Tool call** `ls` (tu_1)");
    const missing = home.json(["sessions", "export", "agent:main:nope"]);
    expect(missing.code).toBe(1);
    expect(missing.body.error.type).toBe("NotFoundError");
  });

  test("delete goes through the gateway, which no longer has the session", async () => {
    const del = home.json(["sessions", "delete", OTHER]);
    noLockErrors(del);
    expect(del.code).toBe(0);
    expect(del.body.source).toBe("gateway");
    const res = await fetch(`${gw.url}/rpc`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "sessions.get", params: { sessionKey: OTHER } }),
    });
    expect((await res.json()).error.data.type).toBe("NotFoundError");
  });

  test("a wrong token is reported as such, without the token", () => {
    const r = home.cli(["--json", "sessions", "list"], {});
    expect(r.code).toBe(0);
    const bad = Bun.spawnSync([process.execPath, join(import.meta.dir, "../../src/main.ts"), "--json", "sessions", "list"], {
      env: { ...process.env, ...home.env, OPENCLAW_GATEWAY_TOKEN: "wrong-token-" + "w".repeat(30) },
      stdout: "pipe",
      stderr: "pipe",
    });
    const body = JSON.parse(bad.stdout.toString());
    expect(bad.exitCode).toBe(1);
    expect(body.error.type).toBe("UnauthorizedError");
    expect(body.error.message).toContain("refused the token");
    expect(bad.stdout.toString() + bad.stderr.toString()).not.toContain("w".repeat(30));
  });
});
