import { afterEach, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configureLogging, createLogger, type LogRecord } from "../../src/core/log.ts";
import { installLogFile, openLogFile, rotatedPath } from "../../src/core/log-file.ts";
import { ApiKey } from "../../src/core/secrets.ts";

const dir = () => join(mkdtempSync(join(tmpdir(), "logfile-")), "logs");
const rec = (msg: string, extra: Record<string, unknown> = {}): LogRecord => ({ ts: new Date(0).toISOString(), level: "info", scope: "t", msg, ...extra });
const lines = (p: string) => readFileSync(p, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as LogRecord);

let uninstall: (() => void) | undefined;
afterEach(() => {
  uninstall?.();
  uninstall = undefined;
  configureLogging({ level: "info", sink: () => {} });
});

test("records are JSON lines in a 0600 file inside a 0700 directory", () => {
  const path = join(dir(), "gateway.log");
  const f = openLogFile({ path });
  f.write(rec("one"));
  f.write(rec("two", { n: 2 }));
  f.close();
  expect(lines(path).map((r) => r.msg)).toEqual(["one", "two"]);
  expect(lines(path)[1]!.n).toBe(2);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
});

test("a loose existing file and directory are tightened", () => {
  const d = dir();
  mkdirSync(d, { mode: 0o755 });
  chmodSync(d, 0o755);
  const path = join(d, "gateway.log");
  writeFileSync(path, "", { mode: 0o644 });
  chmodSync(path, 0o644);
  const f = openLogFile({ path });
  f.write(rec("x"));
  f.close();
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(statSync(d).mode & 0o777).toBe(0o700);
});

test("rotates before passing maxBytes and keeps only `keep` old files", () => {
  const path = join(dir(), "gateway.log");
  const f = openLogFile({ path, maxBytes: 1024, keep: 3 });
  const pad = "p".repeat(200);
  for (let i = 0; i < 40; i++) f.write(rec(`m${i}`, { pad }));
  f.close();
  for (const p of [path, rotatedPath(path, 1), rotatedPath(path, 2), rotatedPath(path, 3)]) {
    expect(existsSync(p)).toBe(true);
    expect(statSync(p).size).toBeLessThanOrEqual(1024);
    expect(statSync(p).mode & 0o777).toBe(0o600);
  }
  expect(existsSync(rotatedPath(path, 4))).toBe(false);
  // newest last in the live file, and the generations are contiguous, newest first
  const live = lines(path).map((r) => r.msg);
  expect(live.at(-1)).toBe("m39");
  const prev = lines(rotatedPath(path, 1)).map((r) => r.msg);
  expect(Number(prev.at(-1)!.slice(1)) + 1).toBe(Number(live[0]!.slice(1)));
});

test("the logger's records reach the file with secrets masked", () => {
  const path = join(dir(), "gateway.log");
  configureLogging({ level: "info", sink: () => {} });
  uninstall = installLogFile({ path });
  const key = new ApiKey("registered-secret-" + "z".repeat(20));
  const log = createLogger("gw");
  log.info(`using ${key.reveal()}`, { nested: { token: "sk-ant-" + "q".repeat(30) } });
  log.debug("below the level");
  log.warn("careful");
  const text = readFileSync(path, "utf8");
  expect(text).not.toContain(key.reveal());
  expect(text).not.toContain("q".repeat(30));
  expect(lines(path).map((r) => [r.level, r.scope, r.msg.slice(0, 5)])).toEqual([["info", "gw", "using"], ["warn", "gw", "caref"]]);
  uninstall();
  uninstall = undefined;
  log.info("after uninstall");
  expect(lines(path)).toHaveLength(2);
});

test("a failing write never throws: reported once on stderr, and logging resumes when the file works again", () => {
  const d = dir();
  mkdirSync(join(d, ".."), { recursive: true });
  writeFileSync(d, "a file where the logs directory should be");
  const path = join(d, "gateway.log");
  const errs: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((c: string | Uint8Array) => (errs.push(String(c)), true)) as typeof process.stderr.write;
  const f = openLogFile({ path });
  try {
    f.write(rec("lost-1"));
    f.write(rec("lost-2"));
  } finally {
    process.stderr.write = orig;
  }
  expect(errs).toHaveLength(1);
  expect(errs[0]).toContain(`log file ${path}: write failed`);
  rmSync(d);
  f.write(rec("kept"));
  f.close();
  expect(lines(path).map((r) => r.msg)).toEqual(["kept"]);
});
