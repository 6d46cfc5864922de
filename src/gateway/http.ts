/** Bounded request-body reading, shared by the routes. */
import { PayloadTooLargeError } from "../core/errors.ts";

/**
 * Reads a request body as UTF-8 text, refusing (PayloadTooLargeError → 413) as soon as it passes
 * `max` bytes, whether the client declared its length or streams it chunked.
 */
export async function readBodyText(req: Request, max: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      void reader.cancel().catch(() => {});
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
}

function tooLarge(max: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`request body exceeds ${max} bytes (gateway.limits.maxBodyBytes)`);
}
