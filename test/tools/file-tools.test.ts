import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { editTool } from "../../src/tools/edit.ts";
import { globTool } from "../../src/tools/glob.ts";
import { grepTool } from "../../src/tools/grep.ts";
import { lsTool } from "../../src/tools/ls.ts";
import { readTool } from "../../src/tools/read.ts";
import { writeTool } from "../../src/tools/write.ts";
import { textOf, toolContext } from "./helpers.ts";

const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

describe("read", () => {
  const read = readTool({ defaultLimit: 3 });

  test("numbers lines like cat -n and windows with offset/limit", async () => {
    const ctx = toolContext();
    writeFileSync(join(ctx.workspace, "f.txt"), "one\ntwo\nthree\nfour\nfive\n");
    const first = textOf(await read.run({ path: "f.txt" }, ctx));
    expect(first).toBe("     1\tone\n     2\ttwo\n     3\tthree\n[lines 1-3 of 5; continue with offset=4]");
    const rest = await read.run({ path: "f.txt", offset: 4, limit: 10 }, ctx);
    expect(textOf(rest)).toBe("     4\tfour\n     5\tfive\n[lines 4-5 of 5]");
    const past = await read.run({ path: "f.txt", offset: 9 }, ctx);
    expect(past.isError).toBe(true);
    expect(textOf(past)).toContain("past the end of f.txt, which has 5 lines");
  });

  test("binary files are described, images returned as images, empty and missing files explained", async () => {
    const ctx = toolContext();
    writeFileSync(join(ctx.workspace, "blob.bin"), Buffer.from([1, 2, 0, 3, 4]));
    writeFileSync(join(ctx.workspace, "pic.png"), PNG);
    writeFileSync(join(ctx.workspace, "empty"), "");
    expect(textOf(await read.run({ path: "blob.bin" }, ctx))).toContain("blob.bin is a binary file (5 bytes); not shown");
    const img = await read.run({ path: "pic.png" }, ctx);
    expect(img.content[1]).toEqual({ type: "image", mediaType: "image/png", data: PNG.toString("base64") });
    expect(textOf(await read.run({ path: "empty" }, ctx))).toBe("empty is empty (0 bytes)");
    const missing = await read.run({ path: "nope.txt" }, ctx);
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain("file not found: nope.txt");
  });

  test("size cap and long lines", async () => {
    const ctx = toolContext();
    writeFileSync(join(ctx.workspace, "big.txt"), "x".repeat(5000));
    const capped = await readTool({ maxBytes: 1000 }).run({ path: "big.txt" }, ctx);
    expect(capped.isError).toBe(true);
    expect(textOf(capped)).toMatch(/5000 bytes, over the 1000-byte limit; use grep/);
    const long = textOf(await readTool({ maxLineChars: 10 }).run({ path: "big.txt" }, ctx));
    expect(long).toBe("     1\txxxxxxxxxx… [line truncated: 4990 more characters]");
  });

  test("escapes are refused with the policy message", async () => {
    const ctx = toolContext();
    symlinkSync("/etc/passwd", join(ctx.workspace, "pw"));
    for (const path of ["../../etc/shadow", "/etc/passwd", "pw"]) {
      const r = await read.run({ path }, ctx);
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain("path escapes the workspace");
      expect(textOf(r)).not.toContain("root:");
    }
  });
});

describe("write and edit", () => {
  test("write creates (with folders) and replaces", async () => {
    const ctx = toolContext();
    const w = writeTool();
    expect(textOf(await w.run({ path: "a/b/new.txt", content: "héllo" }, ctx))).toBe("created a/b/new.txt (6 bytes)");
    expect(textOf(await w.run({ path: "a/b/new.txt", content: "bye" }, ctx))).toBe("replaced a/b/new.txt (3 bytes)");
    expect(readFileSync(join(ctx.workspace, "a/b/new.txt"), "utf8")).toBe("bye");
    const out = await w.run({ path: "../escape.txt", content: "x" }, ctx);
    expect(out.isError).toBe(true);
    expect(textOf(out)).toContain("path escapes the workspace: ../escape.txt");
  });

  test("edit replaces exactly one match and keeps the file mode", async () => {
    const ctx = toolContext();
    const file = join(ctx.workspace, "s.sh");
    writeFileSync(file, "echo one\necho two\n");
    chmodSync(file, 0o755);
    const r = await editTool().run({ path: "s.sh", oldText: "echo two", newText: "echo $HOME 2" }, ctx);
    expect(textOf(r)).toBe("edited s.sh: replaced 1 occurrence");
    expect(readFileSync(file, "utf8")).toBe("echo one\necho $HOME 2\n");
    expect(statSync(file).mode & 0o777).toBe(0o755);
  });

  test("edit fails clearly on zero and multiple matches, or replaces all when asked", async () => {
    const ctx = toolContext();
    const file = join(ctx.workspace, "m.txt");
    writeFileSync(file, "a x a x a");
    const none = await editTool().run({ path: "m.txt", oldText: "zzz", newText: "y" }, ctx);
    expect(none.isError).toBe(true);
    expect(textOf(none)).toContain("oldText was not found in m.txt; nothing was changed");
    const many = await editTool().run({ path: "m.txt", oldText: "a", newText: "b" }, ctx);
    expect(many.isError).toBe(true);
    expect(textOf(many)).toContain("oldText matches 3 places in m.txt; nothing was changed. Add surrounding lines");
    expect(readFileSync(file, "utf8")).toBe("a x a x a");
    const all = await editTool().run({ path: "m.txt", oldText: "a", newText: "b", replaceAll: true }, ctx);
    expect(textOf(all)).toBe("edited m.txt: replaced 3 occurrences");
    expect(readFileSync(file, "utf8")).toBe("b x b x b");
    const same = await editTool().run({ path: "m.txt", oldText: "b", newText: "b" }, ctx);
    expect(same.isError).toBe(true);
  });

  test("edit keeps CRLF line endings", async () => {
    const ctx = toolContext();
    const file = join(ctx.workspace, "w.txt");
    writeFileSync(file, "line1\r\nline2\r\n");
    await editTool().run({ path: "w.txt", oldText: "line1\nline2", newText: "first\nsecond" }, ctx);
    expect(readFileSync(file, "utf8")).toBe("first\r\nsecond\r\n");
  });
});

describe("ls, glob, grep", () => {
  function tree() {
    const ctx = toolContext();
    const w = ctx.workspace;
    mkdirSync(join(w, "src/lib"), { recursive: true });
    mkdirSync(join(w, "node_modules/pkg"), { recursive: true });
    writeFileSync(join(w, "src/main.ts"), "import x from './lib/x';\nconsole.log('TODO: main');\n");
    writeFileSync(join(w, "src/lib/x.ts"), "export const x = 1; // todo later\n");
    writeFileSync(join(w, "src/lib/y.js"), "module.exports = 2;\n");
    writeFileSync(join(w, "node_modules/pkg/index.ts"), "// TODO in deps\n");
    writeFileSync(join(w, "README.md"), "# TODO readme\n");
    writeFileSync(join(w, "data.bin"), Buffer.from([0, 1, 2, 84, 79, 68, 79]));
    return ctx;
  }

  test("ls lists with markers and refuses files and escapes", async () => {
    const ctx = tree();
    symlinkSync("/etc", join(ctx.workspace, "etc"));
    const out = textOf(await lsTool().run({}, ctx));
    expect(out.split("\n")).toEqual(["README.md  (14 bytes)", "data.bin  (7 bytes)", "etc@", "node_modules/", "src/"]);
    expect(textOf(await lsTool().run({ path: "src" }, ctx))).toBe("lib/\nmain.ts  (52 bytes)");
    expect(textOf(await lsTool().run({ path: "README.md" }, ctx))).toContain("is a file, not a directory");
    expect(textOf(await lsTool().run({ path: "etc" }, ctx))).toContain("path escapes the workspace");
    expect(textOf(await lsTool({ maxEntries: 2 }).run({}, ctx))).toContain("[3 more entries not shown");
  });

  test("glob matches relative paths, skips node_modules unless named, caps results", async () => {
    const ctx = tree();
    expect(textOf(await globTool().run({ pattern: "**/*.ts" }, ctx))).toBe("src/lib/x.ts\nsrc/main.ts");
    expect(textOf(await globTool().run({ pattern: "*.ts", path: "src" }, ctx))).toBe("src/main.ts");
    expect(textOf(await globTool().run({ pattern: "**/*.{ts,js}", path: "src/lib" }, ctx))).toBe("src/lib/x.ts\nsrc/lib/y.js");
    expect(textOf(await globTool().run({ pattern: "node_modules/**/*.ts" }, ctx))).toBe("node_modules/pkg/index.ts");
    expect(textOf(await globTool({ maxResults: 1 }).run({ pattern: "**/*" }, ctx))).toMatch(/\[\d+ more matches not shown/);
    expect(textOf(await globTool().run({ pattern: "**/*.py" }, ctx))).toBe("no files match **/*.py under .");
    expect((await globTool().run({ pattern: "*", path: "../.." }, ctx)).isError).toBe(true);
  });

  test("grep finds file:line matches, literal or regex, with filters and caps", async () => {
    const ctx = tree();
    expect(textOf(await grepTool().run({ pattern: "TODO" }, ctx))).toBe("README.md:1: # TODO readme\nsrc/main.ts:2: console.log('TODO: main');");
    expect(textOf(await grepTool().run({ pattern: "todo", ignoreCase: true, glob: "*.ts" }, ctx))).toBe(
      "src/lib/x.ts:1: export const x = 1; // todo later\nsrc/main.ts:2: console.log('TODO: main');",
    );
    expect(textOf(await grepTool().run({ pattern: "./lib/x", literal: true }, ctx))).toBe("src/main.ts:1: import x from './lib/x';");
    expect(textOf(await grepTool().run({ pattern: "^export const \\w+ = \\d", path: "src" }, ctx))).toBe("src/lib/x.ts:1: export const x = 1; // todo later");
    const capped = textOf(await grepTool().run({ pattern: "o", maxMatches: 1 }, ctx));
    expect(capped.split("\n")[1]).toMatch(/^\[\d+ more matching lines not shown/);
    expect(textOf(await grepTool().run({ pattern: "nothing-like-this" }, ctx))).toContain("no matches");
    const bad = await grepTool().run({ pattern: "(unclosed" }, ctx);
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain("invalid regular expression");
  });
});
