/**
 * Glob matching for the glob and grep tools, in linear time. A glob is translated to RE2 syntax and
 * run by re2js (a pure-JS RE2: no backtracking, so `**a**a**a**a**a**a**a**a**b` on a long path
 * costs microseconds instead of stalling the event loop; a backtracking translation — ours before,
 * picomatch's today — takes seconds to hours on such input).
 *
 * Semantics follow picomatch with `dot: true` (test/tools/glob-match.test.ts checks the table
 * against picomatch): `*` any run of characters within one path segment, `**` as a whole segment any
 * number of segments (`src/**` also matches `src`), `**` inside a segment the same as `*`, `?` one
 * character other than `/`, `{a,b}` alternatives (nestable), `[abc]` / `[!abc]` / `[^abc]` classes
 * (never matching `/`), `\x` a literal x. Not supported: extglobs (`+(a|b)` is literal text),
 * `{1..3}` ranges, POSIX classes. Matching is anchored and case-sensitive; paths use `/`.
 * `globMatcher` throws `GlobSyntaxError` with a message naming what is wrong.
 */
import { RE2JS } from "re2js";
import { OpenClawError } from "../core/errors.ts";

export const MAX_GLOB_LENGTH = 1000;
const MAX_BRACE_DEPTH = 10;
const RE2_SPECIAL = /[.+*?()|[\]{}^$\\]/;

export class GlobSyntaxError extends OpenClawError {
  static override readonly type: string = "GlobSyntaxError";
}

export interface GlobMatcher {
  /** whole-path match of a `/`-separated relative path */
  test(path: string): boolean;
}

/** The RE2 source (unanchored; `testExact` anchors it) for a glob. */
export function globSource(pattern: string): string {
  if (pattern.length > MAX_GLOB_LENGTH) throw new GlobSyntaxError(`glob pattern longer than ${MAX_GLOB_LENGTH} characters; use a shorter one`);
  let out = "";
  const braces: ("alt" | "literal")[] = []; // open `{`s: alternatives, or a literal `{x}` (no comma, as in bash)
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") {
      let j = i;
      while (pattern[j] === "*") j++;
      const prev = pattern[i - 1];
      const next = pattern[j];
      const inBrace = braces.at(-1) === "alt";
      const segmentStart = prev === undefined || prev === "/" || (inBrace && (prev === "{" || prev === ","));
      const segmentEnd = next === undefined || next === "/" || (inBrace && (next === "," || next === "}"));
      if (j - i >= 2 && segmentStart && segmentEnd) {
        if (next === "/") {
          out += "(?:[^/]+/)*"; // `**/`: zero or more whole segments
          i = j; // the loop steps past the `/`
          continue;
        }
        // `**` closing the pattern or an alternative: anything; after `dir/` also `dir` itself
        out = prev === "/" ? `${out.slice(0, -1)}(?:/.*)?` : `${out}.*`;
      } else {
        out += "[^/]*";
      }
      i = j - 1;
    } else if (c === "?") {
      out += "[^/]";
    } else if (c === "{") {
      const kind = braceKind(pattern, i);
      if (braces.push(kind) > MAX_BRACE_DEPTH) throw new GlobSyntaxError(`glob braces nested more than ${MAX_BRACE_DEPTH} deep`);
      out += kind === "alt" ? "(?:" : "\\{";
    } else if (c === "}" && braces.length > 0) {
      out += braces.pop() === "alt" ? ")" : "\\}";
    } else if (c === "," && braces.at(-1) === "alt") {
      out += "|";
    } else if (c === "[") {
      const cls = bracket(pattern, i);
      if (!cls) out += "\\[";
      else {
        out += cls.source;
        i = cls.end;
      }
    } else if (c === "\\" && i + 1 < pattern.length) {
      out += literal(pattern[++i]!);
    } else {
      out += literal(c);
    }
  }
  return out;
}

/** Whether the `{` at `start` opens alternatives (a top-level comma before its `}`) or is literal. */
function braceKind(pattern: string, start: number): "alt" | "literal" {
  let depth = 0;
  for (let i = start + 1; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}" && depth-- === 0) return "literal";
    else if (c === "," && depth === 0) return closes(pattern, i) ? "alt" : unbalanced();
  }
  return unbalanced();
}

/** Whether the brace that contains position `from` is closed later. */
function closes(pattern: string, from: number): boolean {
  let depth = 0;
  for (let i = from; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}" && depth-- === 0) return true;
  }
  return false;
}

function unbalanced(): never {
  throw new GlobSyntaxError("unbalanced { in glob pattern; close it with } or escape it as \\{");
}

/** `[…]` starting at `start`: its RE2 class and the index of its `]`, or undefined when unclosed. */
function bracket(pattern: string, start: number): { source: string; end: number } | undefined {
  let i = start + 1;
  const negate = pattern[i] === "!" || pattern[i] === "^";
  if (negate) i++;
  const bodyStart = i;
  if (pattern[i] === "]") i++; // a `]` first in the class is a member
  while (i < pattern.length && pattern[i] !== "]") i += pattern[i] === "\\" ? 2 : 1;
  if (i >= pattern.length) return undefined;
  const body = pattern.slice(bodyStart, i).replace(/\\(.)|([[\]^\\])/g, (_m, esc: string | undefined, raw: string | undefined) => `\\${esc ?? raw}`);
  return { source: negate ? `[^/${body}]` : `[${body}]`, end: i };
}

function literal(c: string): string {
  return RE2_SPECIAL.test(c) ? `\\${c}` : c;
}

export function globMatcher(pattern: string): GlobMatcher {
  const source = globSource(pattern);
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    throw new GlobSyntaxError(`invalid glob pattern ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
  return { test: (path) => re.testExact(path) };
}

export function globMatch(pattern: string, path: string): boolean {
  return globMatcher(pattern).test(path);
}
