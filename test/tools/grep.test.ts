import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { grepTool } from "../../src/tools/grep.ts";
import { timeSlicer } from "../../src/tools/slicer.ts";
import { textOf, toolContext } from "./helpers.ts";
import { whileTicking } from "./liveness.ts";

describe("grep patterns run in linear time", () => {
  // `(a|a)*c` on 28 characters took 474 ms in JavaScript's backtracking engine, doubling per
  // character, while every other session and the health check waited.
  test("(a|a)*c and (a+)+$ over long runs of a: no matches, and the main-thread timer kept ticking", async () => {
    const ctx = toolContext();
    writeFileSync(join(ctx.workspace, "as.txt"), `${"a".repeat(28)}\n`.repeat(8) + `${"a".repeat(3999)}\n`);
    const { value, maxGapMs } = await whileTicking(async () => [
      await grepTool().run({ pattern: "(a|a)*c" }, ctx),
      await grepTool().run({ pattern: "(a+)+$b" }, ctx),
      await grepTool().run({ pattern: "(x+x+)+y", ignoreCase: true }, ctx),
    ]);
    expect(value.map(textOf)).toEqual([
      'no matches for "(a|a)*c" in 1 files under .',
      'no matches for "(a+)+$b" in 1 files under .',
      'no matches for "(x+x+)+y" in 1 files under .',
    ]);
    expect(maxGapMs).toBeLessThan(1000);
  });

  test("RE2 syntax: what it lacks is refused with the reason; literal mode quotes everything", async () => {
    const ctx = toolContext();
    writeFileSync(join(ctx.workspace, "f.txt"), "price: $5 (net)\nfoo(bar)\n");
    const look = await grepTool().run({ pattern: "foo(?=bar)" }, ctx);
    expect(look.isError).toBe(true);
    expect(textOf(look)).toContain("lookahead, lookbehind and backreferences are not supported (RE2 syntax, as in ripgrep)");
    const backref = await grepTool().run({ pattern: "(o)\\1" }, ctx);
    expect(textOf(backref)).toContain("backreferences are not supported");
    const bad = await grepTool().run({ pattern: "(unclosed" }, ctx);
    expect(textOf(bad)).toMatch(/^invalid regular expression "\(unclosed": missing closing \): .*; fix it or set literal: true$/);
    expect(textOf(await grepTool().run({ pattern: "$5 (net)", literal: true }, ctx))).toBe("f.txt:1: price: $5 (net)");
    expect(textOf(await grepTool().run({ pattern: "FOO\\((?P<x>\\w+)\\)", ignoreCase: true }, ctx))).toBe("f.txt:2: foo(bar)");
    const long = await grepTool().run({ pattern: "a".repeat(1001) }, ctx);
    expect(textOf(long)).toContain("over the 1000-character limit");
  });
});

describe("grep yields to the event loop", () => {
  test("the tool timeout fires while one big file is being matched", async () => {
    const ctx = toolContext();
    writeFileSync(join(ctx.workspace, "big.txt"), "some line of text to search\n".repeat(150_000));
    const grep = grepTool({ timeoutMs: 1, slicer: { sliceMs: 0 } });
    const { value, ticks } = await whileTicking(() => grep.run({ pattern: "needle" }, ctx), 1);
    expect(value.isError).toBe(true);
    expect(textOf(value)).toBe("grep timed out after 1 ms and was stopped; try a smaller task or a narrower input");
    expect(ticks).toBeGreaterThan(0);
  });

  test("timeSlicer yields only once a slice is used up, and lets due timers run first", async () => {
    let clock = 0;
    const slice = timeSlicer({ sliceMs: 10, now: () => clock });
    expect(slice()).toBeUndefined();
    clock = 9;
    expect(slice()).toBeUndefined();
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    clock = 10;
    const pending = slice();
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(timerRan).toBe(true);
    expect(slice()).toBeUndefined(); // a new slice started at 10
  });
});
