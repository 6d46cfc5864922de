import { expect, test } from "bun:test";
import { readSse, SseEventTooLargeError } from "../../src/providers/sse.ts";

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

test("an event over the byte cap throws, counted in bytes (multi-byte text), not characters", async () => {
  const big = `data: ${"é".repeat(600)}`; // 600 characters, 1,200 bytes, never terminated
  const pieces = big.match(/.{1,50}/gsu)!;
  const read = async () => {
    for await (const _ of readSse(body(pieces), { maxEventBytes: 1000 })) void _;
  };
  await expect(read()).rejects.toBeInstanceOf(SseEventTooLargeError);
  // the same event under the cap, terminated, is read whole
  const got = [];
  for await (const m of readSse(body([...pieces, "\n\n"]), { maxEventBytes: 4000 })) got.push(m);
  expect(got).toEqual([{ event: undefined, data: "é".repeat(600) }]);
});

test("onEvent fires per complete event, not per chunk", async () => {
  let calls = 0;
  const got = [];
  for await (const m of readSse(body(["da", "ta", ": a", "\n", "\n", "data: b\n\n"]), { onEvent: () => calls++ })) got.push(m.data);
  expect(got).toEqual(["a", "b"]);
  expect(calls).toBe(2);
});
