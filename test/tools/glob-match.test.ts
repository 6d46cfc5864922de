import { describe, expect, test } from "bun:test";
import { globMatch, globToRegExp } from "../../src/tools/glob-match.ts";

const cases: [string, string, boolean][] = [
  ["*.ts", "a.ts", true],
  ["*.ts", "dir/a.ts", false],
  ["**/*.ts", "a.ts", true],
  ["**/*.ts", "dir/sub/a.ts", true],
  ["**/*.ts", "dir/sub/a.tsx", false],
  ["src/**", "src/a/b/c", true],
  ["src/**", "srcx/a", false],
  ["src/**/test/*.ts", "src/test/x.ts", true],
  ["src/**/test/*.ts", "src/a/b/test/x.ts", true],
  ["src/**/test/*.ts", "src/a/test/deep/x.ts", false],
  ["?.md", "a.md", true],
  ["?.md", "ab.md", false],
  ["*.{ts,js}", "x.js", true],
  ["*.{ts,js}", "x.py", false],
  ["{src,test}/**/*.{ts,tsx}", "test/a/b.tsx", true],
  ["{a,{b,c}d}", "cd", true],
  ["[abc].txt", "b.txt", true],
  ["[!abc].txt", "b.txt", false],
  ["[!abc].txt", "z.txt", true],
  ["file(1).txt", "file(1).txt", true],
  ["a+b.txt", "a+b.txt", true],
  ["a.b", "axb", false],
  ["*", ".hidden", true],
  ["exec", "exec", true],
  ["web_*", "web_fetch", true],
];

describe("globMatch", () => {
  for (const [pattern, path, want] of cases) test(`${pattern} ~ ${path} → ${want}`, () => expect(globMatch(pattern, path)).toBe(want));
  test("unbalanced braces and huge patterns are refused", () => {
    expect(() => globToRegExp("{a,b")).toThrow(/unbalanced/);
    expect(() => globToRegExp("a".repeat(2000))).toThrow(/longer than/);
  });
});
