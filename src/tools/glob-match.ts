/**
 * A small glob → RegExp translator for the glob and grep tools and for tool-policy names.
 * Supports `*` (within one path segment), `**` (any number of segments), `?`, `{a,b}` (nestable)
 * and `[abc]` / `[!abc]` classes. Matching is anchored and case-sensitive; paths use `/`.
 */

const SPECIAL = /[.+^$()|\\]/;
const MAX_PATTERN = 1000;
const MAX_BRACE_DEPTH = 10;

export function globToRegExp(pattern: string): RegExp {
  if (pattern.length > MAX_PATTERN) throw new Error(`glob pattern longer than ${MAX_PATTERN} characters`);
  let out = "";
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        const atStart = i === 0 || pattern[i - 1] === "/";
        let j = i + 2;
        while (pattern[j] === "*") j++;
        if (atStart && pattern[j] === "/") {
          out += "(?:[^/]+/)*"; // `**/`: zero or more whole segments
          i = j;
        } else {
          out += ".*";
          i = j - 1;
        }
      } else {
        out += "[^/]*";
      }
    } else if (c === "?") {
      out += "[^/]";
    } else if (c === "{") {
      if (++depth > MAX_BRACE_DEPTH) throw new Error("glob braces nested too deeply");
      out += "(?:";
    } else if (c === "}" && depth > 0) {
      depth--;
      out += ")";
    } else if (c === "," && depth > 0) {
      out += "|";
    } else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end === -1) {
        out += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else if (c === "\\" && i + 1 < pattern.length) {
      out += "\\" + pattern[++i];
    } else {
      out += SPECIAL.test(c) || c === "[" || c === "]" || c === "{" || c === "}" ? "\\" + c : c;
    }
  }
  if (depth > 0) throw new Error("unbalanced { in glob pattern");
  return new RegExp(`^${out}$`);
}

export function globMatch(pattern: string, path: string): boolean {
  return globToRegExp(pattern).test(path);
}
