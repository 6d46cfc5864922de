import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ApiKey, mask, registerSecret } from "../../src/core/secrets.ts";
import { PathEscapeError } from "../../src/sandbox/executor.ts";
import { readTool } from "../../src/tools/read.ts";
import { defineTool, ToolError, truncateResult } from "../../src/tools/tool.ts";
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

  describe("results are redacted", () => {
    // registered the way the gateway registers them: an ApiKey, and a token read from a file
    const key = new ApiKey("Q7f9Xk2LmN4pR8sT1vW3yZ5a0123");
    const fileToken = "tok9ABCDEFGHIJKLMNOP";
    registerSecret(fileToken);
    const leaky = (over: Partial<Parameters<typeof defineTool>[0]> = {}) =>
      defineTool({ name: "leaky", description: "", schema: z.object({ how: z.string() }), execute: ({ how }) => how, ...over });

    test("text output, every block of a full result, and a Telegram-shaped token are masked; images untouched", async () => {
      const text = textOf(await leaky().run({ how: `KEY=${key.reveal()}\nTOKEN=${fileToken}` }, toolContext()));
      expect(text).not.toContain(key.reveal());
      expect(text).not.toContain(fileToken);
      expect(text).toBe(`KEY=${key.masked}\nTOKEN=${mask(fileToken)}`);
      const image = { type: "image" as const, mediaType: "image/png" as const, data: "iVBORw0KGgo=" };
      const full = defineTool({
        name: "full",
        description: "",
        schema: z.object({}),
        execute: () => ({ content: [{ type: "text", text: "a" }, image, { type: "text", text: `bot 123456789:${"A".repeat(35)}` }], isError: false }),
      });
      const r = await full.run({}, toolContext());
      expect(r.content).toEqual([{ type: "text", text: "a" }, image, { type: "text", text: "bot …AAAA" }]);
    });

    test("error results: thrown named and unknown errors, and isError results a tool returns", async () => {
      const named = leaky({ execute: () => { throw new ToolError(`cannot use ${fileToken}`); } });
      expect(textOf(await named.run({ how: "" }, toolContext()))).toBe(`cannot use ${mask(fileToken)}`);
      const unknown = leaky({ execute: () => { throw new Error(`boom ${key.reveal()}`); } });
      expect(textOf(await unknown.run({ how: "" }, toolContext()))).toBe(`leaky failed: boom ${key.masked}`);
      const returned = leaky({ execute: ({ how }) => ({ content: [{ type: "text", text: how }], isError: true }) });
      const r = await returned.run({ how: `exit 1: ${key.reveal()}` }, toolContext());
      expect(r).toEqual({ content: [{ type: "text", text: `exit 1: ${key.masked}` }], isError: true });
    });

    test("a built-in tool is covered too: read of a file holding the key", async () => {
      const ctx = toolContext();
      writeFileSync(join(ctx.workspace, ".env"), `API_KEY=${key.reveal()}\n`);
      expect(textOf(await readTool().run({ path: ".env" }, ctx))).toBe(`     1\tAPI_KEY=${key.masked}`);
    });

    test("redaction runs before the cut, so a secret at the cut leaks no prefix", async () => {
      const cut = leaky({ maxOutputChars: 20 });
      const text = textOf(await cut.run({ how: `0123456789${key.reveal()}` }, toolContext()));
      expect(text).not.toContain(key.reveal().slice(0, 10));
      expect(text).toBe(`0123456789${key.masked}`);
    });
  });
});

