// The gateway's log file and `openclaw logs`: the file a real gateway process writes (JSON lines,
// 0600 in 0700, no secret), reading its tail with --level and --json (across a rotation), and
// --follow bounded: read K lines, then kill — following the file when no gateway runs, and the
// running gateway's live tail over /ws when one does.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TOKEN, waitFor } from "../gateway/helpers.ts";
import { repoRoot } from "./run.ts";
import { makeHome, startGateway, stopGateway, type Home } from "./sessions-helpers.ts";

setDefaultTimeout(60_000); // each test runs CLI subprocesses (and a gateway) on a shared, noisy machine

const rec = (level: string, msg: string) => JSON.stringify({ ts: "2026-01-01T00:00:00.000Z", level, scope: "t", msg }) + "\n";

/** Collects a child's stdout lines; `next(k)` waits for k lines in all, failing loudly after 20 s. */
function lineReader(proc: Bun.Subprocess<"ignore", "pipe", "pipe">) {
  const lines: string[] = [];
  let buf = "";
  const waiter: { wake: (() => void) | null } = { wake: null };
  void (async () => {
    const dec = new TextDecoder();
    for await (const chunk of proc.stdout) {
      buf += dec.decode(chunk, { stream: true });
      const parts = buf.split("\n");
      buf = parts.pop() ?? "";
      lines.push(...parts);
      waiter.wake?.();
    }
  })();
  return {
    lines,
    async next(k: number): Promise<string[]> {
      const deadline = Date.now() + 20_000;
      while (lines.length < k) {
        if (Date.now() > deadline) throw new Error(`expected ${k} lines, got ${lines.length}: ${JSON.stringify(lines)}`);
        await new Promise<void>((r) => {
          waiter.wake = r;
          setTimeout(r, 200);
        });
      }
      return lines.slice(0, k);
    },
  };
}

function follow(home: Home, args: string[]) {
  return Bun.spawn([process.execPath, join(repoRoot, "src/main.ts"), "logs", "--follow", ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...home.env, NO_COLOR: "1" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
}

describe("without a gateway", () => {
  test("logs prints the last records, filtered by --level, as text or JSON lines, across a rotation", () => {
    const home = makeHome();
    const dir = join(home.stateDir, "logs");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "gateway.log.1"), rec("info", "old-1") + rec("error", "old-err"));
    writeFileSync(join(dir, "gateway.log"), rec("info", "new-1") + "not a record\n" + rec("warn", "new-warn") + rec("debug", "new-debug"));
    const all = home.cli(["--json", "logs", "--lines", "4"]);
    expect(all.code).toBe(0);
    expect(all.stdout.trim().split("\n").map((l) => JSON.parse(l).msg)).toEqual(["old-err", "new-1", "new-warn", "new-debug"]);
    const warn = home.cli(["--json", "logs", "--level", "warn"]);
    expect(warn.stdout.trim().split("\n").map((l) => JSON.parse(l).msg)).toEqual(["old-err", "new-warn"]);
    const text = home.cli(["logs", "-n", "1"]);
    expect(text.stdout).toBe("2026-01-01T00:00:00.000Z DEBUG [t] new-debug\n");
    const bad = home.cli(["logs", "--level", "loud"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--level must be one of error, warn, info, debug, trace");
  });

  test("logs with no file says where it will be", () => {
    const home = makeHome();
    const r = home.cli(["logs"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(join(home.stateDir, "logs", "gateway.log"));
  });

  test("--follow follows the file through a rotation", async () => {
    const home = makeHome();
    const dir = join(home.stateDir, "logs");
    const path = join(dir, "gateway.log");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, rec("info", "a") + rec("info", "b"));
    const proc = follow(home, ["--json", "--lines", "1"]);
    try {
      const out = lineReader(proc);
      expect((await out.next(1)).map((l) => JSON.parse(l).msg)).toEqual(["b"]);
      appendFileSync(path, rec("info", "c") + rec("debug", "d"));
      await out.next(3);
      renameSync(path, path + ".1"); // what the gateway's rotation does
      appendFileSync(path + ".1", rec("info", "e")); // written just before the switch
      writeFileSync(path, rec("warn", "f"));
      const got = (await out.next(5)).map((l) => JSON.parse(l).msg);
      expect(got).toEqual(["b", "c", "d", "e", "f"]);
      proc.kill("SIGINT"); // Ctrl-C ends a follow with exit 0
      expect(await proc.exited).toBe(0);
    } finally {
      proc.kill("SIGINT");
      await proc.exited;
    }
  });
});

describe("with a gateway process running", () => {
  test("the gateway writes its log file; logs reads it; --follow shows the live tail", async () => {
    const home = makeHome({ logging: { level: "debug" } });
    const gw = await startGateway(home);
    const path = join(home.stateDir, "logs", "gateway.log");
    const proc = follow(home, ["--json", "--lines", "1000", "--level", "debug"]); // more than logs.tail gives: asked for 500
    try {
      // the child writes "listening" to stderr (where startGateway saw it) and then to the file: wait for the file
      const fileHas = (s: string) => existsSync(path) && readFileSync(path, "utf8").includes(s);
      await waitFor(() => fileHas("gateway listening on"), "the start line in the gateway's log file", 10_000);
      const text = readFileSync(path, "utf8");
      const records = text.trim().split("\n").map((l) => JSON.parse(l));
      expect(records.some((r) => r.scope === "gateway" && String(r.msg).startsWith("gateway listening on"))).toBe(true);
      expect(text).not.toContain(TOKEN);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(home.stateDir, "logs")).mode & 0o777).toBe(0o700);
      expect(home.cli(["logs"]).stdout).toContain("gateway listening on");

      const out = lineReader(proc);
      const first = await out.next(1);
      expect(first.length).toBe(1);
      // the debug "request" record of this call reaches the follower as a live logs.record notification
      const res = await fetch(`${gw.url}/rpc`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "sessions.list", params: {} }),
      });
      expect(res.status).toBe(200);
      const live = (l: string) => {
        const r = JSON.parse(l);
        return r.msg === "request" && r.method === "POST" && r.path === "/rpc";
      };
      // each wait for one more line fails loudly after 20 s
      while (!out.lines.some(live)) await out.next(out.lines.length + 1);
      expect(out.lines.join("\n")).not.toContain(TOKEN);
      proc.kill("SIGINT");
      expect(await proc.exited).toBe(0);

      const wrong = "wrong-token-" + "w".repeat(30);
      const refused = Bun.spawnSync([process.execPath, join(repoRoot, "src/main.ts"), "logs", "--follow"], {
        env: { ...process.env, ...home.env, OPENCLAW_GATEWAY_TOKEN: wrong },
        stdout: "pipe",
        stderr: "pipe",
        timeout: 20_000,
      });
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr.toString()).toContain("refused the token from OPENCLAW_GATEWAY_TOKEN");
      expect(refused.stderr.toString() + refused.stdout.toString()).not.toContain("w".repeat(30));
    } finally {
      proc.kill("SIGINT");
      await proc.exited;
      await stopGateway(gw);
    }
  }, 40_000);
});
