import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { PathEscapeError } from "../../src/sandbox/executor.ts";
import { defineTool, truncateResult } from "../../src/tools/tool.ts";
import { textOf, toolContext } from "./helpers.ts";

describe("defineTool", () => {
  const echo = defineTool({
    name: "echo",
    description: "echo",
    schema: z.object({ text: z.string().describe("what to say"), times: z.number().int().min(1).default(1) }),
    execute: ({ text, times }) => text.repeat(times),
  });

  test("JSON Schema for the model: an object, no $schema, defaults optional", () => {
    expect(echo.inputSchema.$schema).toBeUndefined();
    expect(echo.inputSchema.type).toBe("object");
    expect(echo.inputSchema.required).toEqual(["text"]);
    expect((echo.inputSchema.properties as Record<string, { description?: string }>).text?.description).toBe("what to say");
  });

  test("valid input runs", async () => {
    const r = await echo.run({ text: "ab", times: 2 }, toolContext());
    expect(r).toEqual({ content: [{ type: "text", text: "abab" }], isError: false });
  });

  test("invalid input lists the issues and runs nothing", async () => {
    let ran = false;
    const t = defineTool({ name: "t", description: "", schema: z.object({ path: z.string(), n: z.number() }), execute: () => ((ran = true), "x") });
    const r = await t.run({ n: "five" }, toolContext());
    expect(r.isError).toBe(true);
    expect(ran).toBe(false);
    const msg = textOf(r);
    expect(msg).toContain("invalid input for t; nothing was run");
    expect(msg).toContain("- path:");
    expect(msg).toContain("- n:");
  });

  test("timeout aborts the tool's signal and returns an error", async () => {
    let sawAbort = false;
    const slow = defineTool({
      name: "slow",
      description: "",
      schema: z.object({}),
      timeoutMs: 50,
      execute: (_i, ctx) =>
        new Promise<string>((resolve) => {
          ctx.signal.addEventListener("abort", () => {
            sawAbort = true;
            resolve("late");
          });
        }),
    });
    const r = await slow.run({}, toolContext());
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("slow timed out after 50 ms");
    expect(sawAbort).toBe(true);
  });

  test("the run's abort reaches the tool", async () => {
    const ac = new AbortController();
    let sawAbort = false;
    const t = defineTool({
      name: "wait",
      description: "",
      schema: z.object({}),
      execute: (_i, ctx) => new Promise<string>((resolve) => ctx.signal.addEventListener("abort", () => ((sawAbort = true), resolve("x")))),
    });
    const p = t.run({}, toolContext({ signal: ac.signal }));
    ac.abort();
    const r = await p;
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("aborted");
    expect(sawAbort).toBe(true);
  });

  test("output is truncated with a marker", async () => {
    const big = defineTool({ name: "big", description: "", schema: z.object({}), maxOutputChars: 100, execute: () => "x".repeat(250) });
    const text = textOf(await big.run({}, toolContext()));
    expect(text).toBe("x".repeat(100) + "\n[output truncated: 150 more characters]");
  });

  test("truncation never splits a surrogate pair and spans blocks", () => {
    const r = truncateResult({ content: [{ type: "text", text: "ab" }, { type: "text", text: "😀😀" }], isError: false }, 3);
    expect(r.content).toEqual([{ type: "text", text: "ab" }, { type: "text", text: "[output truncated: 4 more characters]" }]);
  });

  test("thrown errors become results: named messages kept, unknown ones short and without stack", async () => {
    const esc = defineTool({ name: "e1", description: "", schema: z.object({}), execute: () => { throw new PathEscapeError("path escapes the workspace: ../x; use a path inside /ws"); } });
    expect(textOf(await esc.run({}, toolContext()))).toBe("path escapes the workspace: ../x; use a path inside /ws");
    const boom = defineTool({ name: "e2", description: "", schema: z.object({}), execute: () => { throw new TypeError("cannot read x of undefined\n    at foo (file.ts:1:1)"); } });
    const r = await boom.run({}, toolContext());
    expect(r.isError).toBe(true);
    expect(textOf(r)).toBe("e2 failed: cannot read x of undefined");
  });
});
