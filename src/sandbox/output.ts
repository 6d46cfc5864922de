/**
 * Output capture for child processes: a byte budget shared by stdout and stderr, and decoding that
 * always yields clean, valid UTF-8 text. Pure; used by `spawn.ts`. Node-compatible (no Bun APIs).
 */
import { concatBytes } from "../core/body.ts";

/** Keeps at most `budget` bytes across every stream that writes into it; counts what it drops. */
export class OutputBudget {
  private kept = 0;
  dropped = 0;
  constructor(readonly budget: number) {}

  get truncated(): boolean {
    return this.dropped > 0;
  }

  /** Returns the part of `chunk` that still fits (possibly empty); the rest is counted as dropped. */
  take(chunk: Uint8Array): Uint8Array {
    const room = Math.max(0, this.budget - this.kept);
    if (chunk.length <= room) {
      this.kept += chunk.length;
      return chunk;
    }
    this.kept += room;
    this.dropped += chunk.length - room;
    return chunk.subarray(0, room);
  }
}

/** Collects one stream's kept chunks; knows whether it was cut. */
export class StreamSink {
  private chunks: Uint8Array[] = [];
  cut = false;
  dropped = 0;
  constructor(private readonly budget: OutputBudget) {}

  push(chunk: Uint8Array): void {
    const part = this.budget.take(chunk);
    if (part.length > 0) this.chunks.push(part);
    if (part.length < chunk.length) {
      this.cut = true;
      this.dropped += chunk.length - part.length;
    }
  }

  text(): string {
    let bytes = concatBytes(this.chunks);
    if (this.cut) bytes = trimIncompleteUtf8(bytes);
    let out = cleanText(decodeUtf8(bytes));
    if (this.cut) out += `${out.endsWith("\n") || out === "" ? "" : "\n"}[output truncated: ${this.dropped} more bytes dropped]`;
    return out;
  }
}

/** Drops a multi-byte UTF-8 sequence left incomplete at the end of `bytes` (a cut at the cap). */
export function trimIncompleteUtf8(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(4, n); back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? bytes.subarray(0, n - back) : bytes;
  }
  return bytes;
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/** Invalid sequences become U+FFFD; never throws. */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

// CSI (ESC [ … final) and OSC (ESC ] … BEL | ESC \) sequences, then any other lone escape.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;
// C0 controls except \t and \n, DEL and C1 controls.
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]/g;

/** Terminal escapes and control characters removed; CRLF and lone CR become LF. */
export function cleanText(s: string): string {
  return s.replace(ANSI, "").replace(/\r\n?/g, "\n").replace(CONTROL, "");
}
