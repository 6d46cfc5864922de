/**
 * grep's pattern, compiled for re2js: RE2 syntax (the syntax ripgrep and Go use), matched in time
 * linear in the line, so no pattern the model sends — `(a|a)*c`, `(a+)+$` — can stall the gateway.
 * What RE2 lacks (lookaround, backreferences) is refused with a message that says so.
 * `compileGrepPattern` throws a `ToolError` written for the model.
 */
import { RE2JS } from "re2js";
import { ToolError } from "./tool.ts";

export const MAX_GREP_PATTERN = 1000;

export interface LineMatcher {
  /** true when the pattern matches anywhere in `line` */
  test(line: string): boolean;
}

export function compileGrepPattern(pattern: string, literal: boolean, ignoreCase: boolean): LineMatcher {
  if (pattern.length > MAX_GREP_PATTERN) {
    throw new ToolError(`pattern is ${pattern.length} characters, over the ${MAX_GREP_PATTERN}-character limit; search for a shorter pattern`);
  }
  const source = literal ? RE2JS.quote(pattern) : pattern;
  try {
    const re = RE2JS.compile(source, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
    return { test: (line) => re.test(line) };
  } catch (err) {
    const why = (err as Error).message.replace(/^error parsing regexp: /, "");
    const hint = /\(\?<?[=!]|\\[1-9]|\\k</.test(pattern)
      ? "lookahead, lookbehind and backreferences are not supported (RE2 syntax, as in ripgrep); rewrite without them"
      : "fix it or set literal: true";
    throw new ToolError(`invalid regular expression ${JSON.stringify(pattern)}: ${why}; ${hint}`);
  }
}
