/**
 * The one capped body reader: HTTP request bodies, webhook payloads, fetched pages and provider
 * error bodies all go through `readCapped`, so nothing reads an unbounded body into memory.
 */
import { PayloadTooLargeError } from "./errors.ts";

export interface CapOptions {
  /** the setting that holds the limit, named in the error (e.g. "gateway.limits.maxBodyBytes") */
  setting?: string;
  /** stop at the cap and return what was read instead of throwing (`truncated: true`) */
  truncate?: boolean;
}

export interface CappedBytes {
  bytes: Uint8Array;
  truncated: boolean;
}

/**
 * Reads a stream up to `max` bytes. Past the cap it cancels the stream and throws
 * `PayloadTooLargeError` (→ 413), or with `truncate` returns the first `max` bytes.
 */
export async function readCapped(body: ReadableStream<Uint8Array> | null, max: number, opts: CapOptions = {}): Promise<CappedBytes> {
  if (!body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > max) {
      void reader.cancel().catch(() => {});
      if (!opts.truncate) throw tooLarge(max, opts.setting);
      chunks.push(value.subarray(0, max - total));
      return { bytes: concatBytes(chunks), truncated: true };
    }
    total += value.byteLength;
    chunks.push(value);
  }
  return { bytes: concatBytes(chunks), truncated: false };
}

/**
 * Reads a request body as UTF-8 text, refusing (PayloadTooLargeError → 413) as soon as it passes
 * `max` bytes, whether the client declared its length or streams it chunked.
 */
export async function readBodyText(req: Request, max: number, setting = "gateway.limits.maxBodyBytes"): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max, setting);
  const { bytes } = await readCapped(req.body, max, { setting });
  return new TextDecoder().decode(bytes);
}

/** The chunks as one array (the one chunk itself when there is only one). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function tooLarge(max: number, setting?: string): PayloadTooLargeError {
  return new PayloadTooLargeError(`body exceeds ${max} bytes${setting ? ` (${setting})` : ""}`);
}
