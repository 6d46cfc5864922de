import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { checkFile, importsOf, lint } from "../../build/lint-imports.ts";

const src = join(import.meta.dir, "..", "..", "src");
const at = (p: string) => join(src, p);

describe("lint-imports", () => {
  test("finds static, type, re-export, side-effect and dynamic imports with line numbers; ignores comments", () => {
    const text = [
      `import { a } from "./a.ts";`,
      `import type {`,
      `  B,`,
      `} from "../b/b.ts";`,
      `export { c } from "../c/c.ts";`,
      `// import { no } from "../gateway/x.ts";`,
      `/* import "../gateway/y.ts"; */`,
      `import "./side.ts";`,
      `const m = await import("../d/d.ts");`,
    ].join("\n");
    expect(importsOf(text)).toEqual([
      { spec: "./a.ts", line: 1 },
      { spec: "../b/b.ts", line: 2 },
      { spec: "../c/c.ts", line: 5 },
      { spec: "./side.ts", line: 8 },
      { spec: "../d/d.ts", line: 9 },
    ]);
  });

  test("arrows point one way; peers and lower layers are fine", () => {
    expect(checkFile(at("agent/x.ts"), `import { a } from "../gateway/app.ts";`)[0]!.rule).toContain("agent/ may not import gateway/");
    expect(checkFile(at("agent/x.ts"), `import { a } from "../channels/channel.ts";`)).toHaveLength(1);
    expect(checkFile(at("core/x.ts"), `import { a } from "../config/schema.ts";`)).toHaveLength(1);
    expect(checkFile(at("store/x.ts"), `const m = import("../agent/runtime.ts");`)).toHaveLength(1);
    expect(checkFile(at("cli/x.ts"), `import "../main.ts";`)[0]!.rule).toContain("src/main.ts");
    expect(checkFile(at("agent/x.ts"), `import { a } from "../store/types.ts";\nimport { b } from "../tools/types.ts";`)).toEqual([]);
    expect(checkFile(at("tools/x.ts"), `import { a } from "../sandbox/executor.ts";`)).toEqual([]); // peers
    expect(checkFile(at("gateway/x.ts"), `import { a } from "../channels/channel.ts";`)).toEqual([]); // peers
    // the composition root sits above gateway/ and channels/; the pairing domain below both
    expect(checkFile(at("app/x.ts"), `import { a } from "../gateway/gateway.ts";\nimport { b } from "../channels/registry.ts";`)).toEqual([]);
    expect(checkFile(at("gateway/x.ts"), `import { a } from "../app/assemble.ts";`)[0]!.rule).toContain("gateway/ may not import app/");
    expect(checkFile(at("channels/x.ts"), `import { a } from "../pairing/pairing.ts";`)).toEqual([]);
    expect(checkFile(at("pairing/x.ts"), `import { a } from "../channels/channel.ts";`)).toHaveLength(1);
  });

  test("grammy and hono stay in their adapters; agent/ never sees them", () => {
    const v = checkFile(at("agent/x.ts"), `import { Bot } from "grammy";\nimport { Hono } from "hono";`);
    expect(v.map((x) => x.line)).toEqual([1, 2]);
    expect(checkFile(at("channels/telegram/bot.ts"), `import { Bot } from "grammy";`)).toEqual([]);
    expect(checkFile(at("gateway/app.ts"), `import { Hono } from "hono/tiny";`)).toEqual([]);
  });

  test("the library surface does not import bun:*", () => {
    expect(checkFile(at("store/memory.ts"), `import { Database } from "bun:sqlite";`)[0]!.rule).toContain("Node");
    expect(checkFile(at("agent/loop.ts"), `import { $ } from "bun";`)).toEqual([]); // only bun: specifiers are checked
    expect(checkFile(at("store/db.ts"), `import { Database } from "bun:sqlite";`)).toEqual([]);
  });

  test("reports file:line", () => {
    const [v] = checkFile(at("agent/x.ts"), `\n\nimport "../gateway/a.ts";`);
    expect(v).toMatchObject({ file: "src/agent/x.ts", line: 3 });
  });

  test("the tree as it is passes", () => {
    expect(lint()).toEqual([]);
  });
});
