// ops/log-read.ts on real files: the backwards reader across chunk boundaries (lines longer than
// a chunk, a file of many chunks), the level filter, torn and foreign lines.
import { expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { atLeast, checkLevel, formatRecord, readLogTail } from "../../src/ops/log-read.ts";
import { InvalidParamsError } from "../../src/core/errors.ts";

const rec = (i: number, level = "info", pad = "") => JSON.stringify({ ts: "t", level, scope: "s", msg: `m${i}`, pad }) + "\n";
const file = (content: string) => {
  const p = join(mkdtempSync(join(tmpdir(), "logread-")), "gateway.log");
  writeFileSync(p, content);
  return p;
};

test("the last N of a multi-chunk file, in order, lines longer than a chunk included", () => {
  let content = "";
  for (let i = 0; i < 3000; i++) content += rec(i, i % 10 === 0 ? "warn" : "info", i === 2995 ? "x".repeat(200_000) : "y".repeat(100));
  const p = file(content);
  const tail = readLogTail(p, { lines: 10 });
  expect(tail.records.map((r) => r.msg)).toEqual(Array.from({ length: 10 }, (_, k) => `m${2990 + k}`));
  expect(tail.records[5]!.pad).toHaveLength(200_000);
  expect(tail.size).toBe(Buffer.byteLength(content));
  const warn = readLogTail(p, { lines: 3, level: "warn" });
  expect(warn.records.map((r) => r.msg)).toEqual(["m2970", "m2980", "m2990"]);
  expect(readLogTail(p, { lines: 5000 }).records).toHaveLength(3000);
  expect(readLogTail(p, { lines: 0 }).records).toEqual([]);
});

test("torn and foreign lines are skipped; a missing file is empty", () => {
  const p = file("garbage\n" + rec(1) + '{"level":"nope","msg":"x"}\n' + rec(2) + '{"ts":"t","level":"info","msg":"torn');
  expect(readLogTail(p, { lines: 10 }).records.map((r) => r.msg)).toEqual(["m1", "m2"]);
  expect(readLogTail(p + ".absent", { lines: 10 })).toEqual({ records: [], size: 0 });
});

test("levels: the named one and the more severe; a bad one is a clear error", () => {
  const r = (level: string) => ({ ts: "t", level, scope: "s", msg: "m" }) as never;
  expect(["error", "warn", "info", "debug"].filter((l) => atLeast(r(l), "warn"))).toEqual(["error", "warn"]);
  expect(checkLevel(" WARN ")).toBe("warn");
  expect(() => checkLevel("silent")).toThrow(InvalidParamsError);
  expect(() => checkLevel("loud")).toThrow("--level must be one of error, warn, info, debug, trace");
  expect(formatRecord({ ts: "t", level: "warn", scope: "gw", msg: "hi", n: 2, s: "a b" })).toBe('t WARN [gw] hi n=2 s="a b"');
});
