// Framing: split only on \n, across chunk boundaries and inside multi-byte characters; bounded
// line length and line rate (an injected clock: no wall-clock timing).
import { describe, expect, test } from "bun:test";
import { frame, LineReader } from "../../src/plugins/jsonl.ts";

function reader(o: { maxLineBytes?: number; maxLines?: number; maxBytes?: number; windowMs?: number; now?: () => number } = {}) {
  const lines: string[] = [];
  const violations: string[] = [];
  const r = new LineReader({ ...o, onLine: (l) => lines.push(l), onViolation: (v) => violations.push(v) });
  return { r, lines, violations };
}
const enc = (s: string) => new TextEncoder().encode(s);

describe("LineReader", () => {
  test("splits only on \\n: U+2028/U+2029 and \\r inside a line stay; a trailing \\r is dropped; blank lines skipped", () => {
    const { r, lines } = reader();
    const msg = { text: "a\u2028b\u2029c\rd" };
    r.push(enc(frame(msg) + "\n\r\n" + '{"x":1}\r\n'));
    expect(lines.map((l) => JSON.parse(l))).toEqual([msg, { x: 1 }]);
  });

  test("a line split across chunks, even inside a multi-byte character, arrives whole", () => {
    const { r, lines } = reader();
    const bytes = enc('{"t":"héllo 🌍"}\n');
    for (let i = 0; i < bytes.length; i++) r.push(bytes.subarray(i, i + 1));
    expect(lines).toEqual(['{"t":"héllo 🌍"}']);
  });

  test("a line longer than maxLineBytes is a violation (even without its \\n); nothing more is delivered", () => {
    const { r, lines, violations } = reader({ maxLineBytes: 10 });
    r.push(enc("0123456789\n"));
    r.push(enc("01234"));
    r.push(enc("567890"));
    r.push(enc("\nok\n"));
    expect(lines).toEqual(["0123456789"]);
    expect(violations).toEqual(["a line longer than 10 bytes"]);
    expect(r.stopped).toBe(true);
  });

  test("more than maxLines within windowMs is a violation; a new window starts the count again", () => {
    let now = 0;
    const { r, lines, violations } = reader({ maxLines: 3, windowMs: 1000, now: () => now });
    r.push(enc("a\nb\nc\n"));
    now = 1000;
    r.push(enc("d\ne\nf\n"));
    expect(violations).toEqual([]);
    r.push(enc("g\n"));
    expect(violations).toEqual(["more than 3 lines within 1000 ms"]);
    expect(lines).toEqual(["a", "b", "c", "d", "e", "f"]);
  });

  test("more than maxBytes within windowMs is a violation, though each line is short enough and few", () => {
    let now = 0;
    const { r, lines, violations } = reader({ maxLineBytes: 10, maxLines: 100, maxBytes: 20, windowMs: 1000, now: () => now });
    r.push(enc("0123456789\n0123456789\n"));
    now = 1000;
    r.push(enc("0123456789\n0123456789\n"));
    expect(violations).toEqual([]);
    r.push(enc("x\n"));
    expect(violations).toEqual(["more than 20 bytes within 1000 ms"]);
    expect(lines).toHaveLength(4);
  });

  test("the default byte budget is bounded: 4 MiB lines, far under the line-count limit, cannot stream unbounded", () => {
    const { r, violations } = reader({ now: () => 0 });
    const line = new Uint8Array((4 << 20) - 1).fill(97);
    const nl = enc("\n");
    for (let i = 0; i < 16 && violations.length === 0; i++) {
      r.push(line);
      r.push(nl);
    }
    expect(violations).toEqual(["more than 33554432 bytes within 1000 ms"]);
  });

  test("frame() never puts a raw newline inside a frame", () => {
    expect(frame({ s: "x\ny" })).toBe('{"s":"x\\ny"}\n');
  });
});
