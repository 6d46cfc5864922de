import { expect, test } from "bun:test";
import { readSse } from "../../src/providers/sse.ts";

function body(parts: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(enc.encode(p));
      c.close();
    },
  });
}

test("events split across chunks, CRLF, comments, multi-line data; an unterminated tail is dropped", async () => {
  const parts = [": keep-alive\n\nevent: a\nda", "ta: {\"x\":1}\r", "\n\r\ndata: line1\ndata: line2\n\n", "data: cut-off"];
  const got = [];
  for await (const m of readSse(body(parts))) got.push(m);
  expect(got).toEqual([
    { event: "a", data: '{"x":1}' },
    { event: undefined, data: "line1\nline2" },
  ]);
});
