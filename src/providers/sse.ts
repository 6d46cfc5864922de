/**
 * Server-Sent Events over a fetch body, parsed by `eventsource-parser` (the spec's line and field
 * rules, CR/LF/CRLF, comments, a BOM). Yields one `{ event, data }` per complete event. Two
 * guarantees a model stream needs:
 * - bounded memory: the bytes of an event still being received (since the last complete event)
 *   are capped at `maxEventBytes`; passing it throws `SseEventTooLargeError` (a server that never
 *   ends an event cannot make us buffer without bound);
 * - `onEvent` is called per complete event, not per network chunk, so an idle timer reset there
 *   fires for a server that trickles bytes without ever finishing an event.
 * Ends when the body ends, dropping an event left unterminated at EOF (as the spec says); read
 * errors (a reset socket) propagate to the caller.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { PayloadTooLargeError } from "../core/errors.ts";

export interface SseMessage {
  event: string | undefined;
  data: string;
}

export interface SseOptions {
  /** the largest single event accepted, in bytes (default 8 MiB) */
  maxEventBytes?: number;
  /** called once per complete event, before it is yielded */
  onEvent?: () => void;
}

export const DEFAULT_MAX_EVENT_BYTES = 8 * 1024 * 1024;

/** One SSE event passed the cap (the providers turn it into a `malformed` stop; it never crosses a boundary). */
export class SseEventTooLargeError extends PayloadTooLargeError {
  static override readonly type: string = "SseEventTooLargeError";
  readonly limitBytes: number;
  constructor(limitBytes: number) {
    super(`a stream event passed ${limitBytes} bytes without ending`, { details: { limitBytes } });
    this.limitBytes = limitBytes;
  }
}

export async function* readSse(body: ReadableStream<Uint8Array>, opts: SseOptions = {}): AsyncGenerator<SseMessage> {
  const cap = opts.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const ready: SseMessage[] = [];
  let overflow = false;
  const parser = createParser({
    onEvent: (m: EventSourceMessage) => void ready.push({ event: m.event, data: m.data }),
    onError: (err) => {
      if (err.type === "max-buffer-size-exceeded") overflow = true;
    },
    // characters never outnumber bytes, so this only backs up the byte count below
    maxBufferSize: cap,
  });
  const decoder = new TextDecoder();
  /**
   * bytes received since the last complete event; the tail of a chunk that completed an event is
   * not counted (at most one chunk), which the parser's own character cap backs up
   */
  let pending = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      if (ready.length === 0) pending += value.byteLength;
      else pending = 0;
      // the events completed before the overflow still count
      for (const m of ready.splice(0)) {
        opts.onEvent?.();
        yield m;
      }
      if (overflow || pending > cap) throw new SseEventTooLargeError(cap);
    }
  } finally {
    reader.releaseLock();
  }
}
