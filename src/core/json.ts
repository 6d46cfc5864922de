/**
 * Input limits applied before anything is dispatched: JSON nesting depth and keys that could
 * pollute prototypes (dropped here, at the edge, so nothing behind it sees them). `parseJson` never throws; it says why a text was refused.
 *
 * Fast path: most frames are small and plain, so the depth scan is one pass over the text and the
 * key-dropping reviver (slow) runs only when the text could hold a dangerous key — it contains one
 * of the names literally, or a `\u` escape that could spell one.
 */
const DANGEROUS = new Set(["__proto__", "constructor", "prototype"]);

export type ParseResult = { ok: true; value: unknown } | { ok: false; reason: "parse" | "depth"; message: string };

/** True when brackets nest deeper than `max` (strings are skipped, escapes honoured). */
export function depthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

function dropDangerous(this: unknown, key: string, value: unknown): unknown {
  return DANGEROUS.has(key) ? undefined : value;
}

function mayHoldDangerousKey(text: string): boolean {
  return text.includes("__proto__") || text.includes("constructor") || text.includes("prototype") || text.includes("\\u");
}

export function parseJson(text: string, maxDepth: number): ParseResult {
  if (text.length >= maxDepth && depthExceeds(text, maxDepth)) {
    return { ok: false, reason: "depth", message: `JSON nested deeper than ${maxDepth} levels` };
  }
  try {
    const value = mayHoldDangerousKey(text) ? JSON.parse(text, dropDangerous) : JSON.parse(text);
    return { ok: true, value };
  } catch {
    return { ok: false, reason: "parse", message: "Parse error" };
  }
}
